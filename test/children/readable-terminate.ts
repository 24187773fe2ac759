// Child process: consumers whose thread ends while readable() / frames() wait, as producers
// keep sending. A wait left listed on the device after its environment is gone would be called
// by a producer later, so this runs outside mocha's process. Scenario (argv[2]):
//  terminate:   workers wait and are terminated, first with no producer (then nothing may stay
//               listed), then over and over while a producer worker sends;
//  exit-worker: a waiting worker calls process.exit() (ending its thread) while a producer sends;
//  exit-main:   the main thread calls process.exit() with waits pending in it and in a worker,
//               while a producer sends (the exit status must be the one asked for).
// Prints one JSON line: the checks made and the ones that failed.
import * as path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { Worker } from 'node:worker_threads';
import { Namespace, RedirectTable } from '../../lib';
import type { ConsumerData, ConsumerMessage, ConsumerMode, ProducerData, SendUntilCommand } from '../workers/wake-shared';

export interface ReadableTerminateReport {
  checks: string[];
  failures: string[];
}

const report: ReadableTerminateReport = { checks: [], failures: [] };
function check(name: string, actual: unknown, expected: unknown): void {
  report.checks.push(name);
  if (!isDeepStrictEqual(actual, expected)) report.failures.push(`${name}: got ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`);
}

const workers = path.join(__dirname, '..', 'workers');
const dev = Namespace.root.createDevice(`rt${process.pid % 10000}`, { ringSize: 64 });
const table = new RedirectTable({ maxEntries: 1 });
table.set(0, dev.ifindex);

function consumer(mode: ConsumerMode): Worker {
  const data: ConsumerData = { namespaceId: Namespace.root.id, ifindex: dev.ifindex, mode };
  return new Worker(path.join(workers, 'wake-consumer.js'), { workerData: data });
}

/** Resolves with the worker's first message (its 'waiting'). */
function firstMessage(worker: Worker): Promise<ConsumerMessage> {
  return new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
}

/** A producer worker sending until stopped, and how to stop it. */
function producer(): { stop: () => Promise<void> } {
  const control = new Int32Array(new SharedArrayBuffer(4));
  const data: ProducerData = { tableId: table.id };
  const worker = new Worker(path.join(workers, 'wake-producer.js'), { workerData: data });
  const command: SendUntilCommand = { kind: 'send-until', control };
  worker.postMessage(command);
  return {
    stop: async () => {
      const stopped = new Promise((resolve) => worker.once('message', resolve));
      Atomics.store(control, 0, 1);
      await stopped;
      await worker.terminate();
    },
  };
}

const drain = (): void => {
  const ids = new Uint32Array(64);
  while (dev.receive(ids) > 0);
};

async function terminate(): Promise<void> {
  // No producer: after terminate() nothing of the worker may stay listed on the device.
  for (let round = 0; round < 4; round += 1) {
    const worker = consumer('wait-many');
    await firstMessage(worker);
    check(`round ${round}: the worker's waits are listed`, dev.stats().waiters, 5);
    await worker.terminate();
    check(`round ${round}: terminate() left no wait listed`, dev.stats().waiters, 0);
  }
  // Frames now wake nobody.
  table.redirect(new Uint32Array(4), new Uint32Array([1, 2, 3, 4]), new Uint32Array(4).fill(64), new Int32Array(4));
  check('frames after the terminations woke nobody', dev.stats().wakeups, 0);
  drain();
  // Terminations racing with a producer's wake-ups (and with the frames() loop receiving).
  const sending = producer();
  for (let round = 0; round < 30; round += 1) {
    const worker = consumer(round % 2 === 0 ? 'wait-many' : 'readable');
    await firstMessage(worker);
    if (round % 3 === 0) drain();
    await worker.terminate();
  }
  await sending.stop();
  check('no wait listed after every termination', dev.stats().waiters, 0);
}

async function exitWorker(): Promise<void> {
  const sending = producer();
  for (let round = 0; round < 10; round += 1) {
    const worker = consumer('wait-then-exit');
    const exited = new Promise<number>((resolve) => worker.once('exit', resolve));
    await firstMessage(worker);
    drain();
    check(`round ${round}: the worker exited with its own code`, await exited, 3);
  }
  await sending.stop();
  check('no wait listed after the workers exited', dev.stats().waiters, 0);
}

async function exitMain(): Promise<void> {
  const worker = consumer('wait-many');
  await firstMessage(worker);
  producer();
  for (let round = 0; round < 50; round += 1) {
    await dev.readable();
    drain();
  }
  // Exits with waits pending here and in the worker, and the producer sending.
  void dev.readable();
  void dev.readable();
  console.log(JSON.stringify(report));
  process.exit(0);
}

async function main(): Promise<void> {
  const scenario = process.argv[2];
  if (scenario === 'terminate') await terminate();
  else if (scenario === 'exit-worker') await exitWorker();
  else if (scenario === 'exit-main') return exitMain();
  else throw new Error(`unknown scenario ${scenario}`);
  await table.close();
  await dev.unregister();
  check('released', dev.state, 'released');
  console.log(JSON.stringify(report));
}

void main();
