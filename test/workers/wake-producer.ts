// A producer for the readable() / frames() tests: redirects frames through a table (opened by
// id) from its own thread, as commanded by the parent.
import { parentPort, workerData } from 'node:worker_threads';
import { RedirectTable } from '../../lib';
import { BULK_SIZE } from '../../lib/constants';
import type { ProducerData, SendCommand, SendReport, SendUntilCommand } from './wake-shared';

const table = RedirectTable.open((workerData as ProducerData).tableId);
const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

async function send(command: SendCommand): Promise<void> {
  const accepted: number[] = [];
  const keys = new Uint32Array(command.batch);
  const ids = new Uint32Array(command.batch);
  const lengths = new Uint32Array(command.batch).fill(64);
  const verdicts = new Int32Array(command.batch);
  for (let sent = 0, calls = 0; sent < command.count; calls += 1) {
    const n = Math.min(command.batch, command.count - sent);
    for (let i = 0; i < n; i += 1) ids[i] = command.first + sent + i;
    table.redirect(keys.subarray(0, n), ids.subarray(0, n), lengths.subarray(0, n), verdicts.subarray(0, n));
    for (let i = 0; i < n; i += 1) if (verdicts[i] === 0) accepted.push(ids[i]);
    sent += n;
    if (command.yieldEvery !== undefined && calls % command.yieldEvery === 0) await tick();
  }
  const report: SendReport = { kind: 'sent', accepted };
  parentPort?.postMessage(report);
}

async function sendUntil(command: SendUntilCommand): Promise<void> {
  const keys = new Uint32Array(BULK_SIZE);
  const ids = new Uint32Array(BULK_SIZE);
  const lengths = new Uint32Array(BULK_SIZE).fill(64);
  const verdicts = new Int32Array(BULK_SIZE);
  for (let next = 0; Atomics.load(command.control, 0) === 0; ) {
    for (let i = 0; i < BULK_SIZE; i += 1) ids[i] = next++ >>> 0;
    table.redirect(keys, ids, lengths, verdicts);
    await tick();
  }
  parentPort?.postMessage({ kind: 'stopped' });
}

parentPort?.on('message', (command: SendCommand | SendUntilCommand | 'close') => {
  if (command === 'close') {
    void table.close().then(() => parentPort?.close());
  } else if (command.kind === 'send') {
    void send(command);
  } else {
    void sendUntil(command);
  }
});
