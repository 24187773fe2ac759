// Reader worker: opens the table by id and checks every value it reads, per call and batched.
import { parentPort, workerData } from 'node:worker_threads';
import { RedirectTable } from '../../lib';
import { KEYS, MAX_IFINDEX, ReaderReport, SharedState } from './shared-state';

const { tableId, state } = workerData as { tableId: number; state: SharedState };
const table = RedirectTable.open(tableId);
const report: ReaderReport = { reads: 0, hits: 0, batchedReads: 0, violations: [], distinctSeen: 0 };
const seen = new Set<number>();

function check(key: number, ifindex: number, deathsBefore: number): void {
  if (ifindex === 0) return;
  report.hits += 1;
  seen.add(ifindex);
  if (ifindex < 0 || ifindex >= MAX_IFINDEX || Atomics.load(state.everSet, key * MAX_IFINDEX + ifindex) !== 1) {
    report.violations.push(`key ${key}: read ifindex ${ifindex}, which was never set there`);
  }
  const died = Atomics.load(state.deathSeq, ifindex);
  if (died !== 0 && died <= deathsBefore) {
    report.violations.push(`key ${key}: read ifindex ${ifindex} after its unregister() resolved`);
  }
}

const keys = new Uint32Array(KEYS).map((_, i) => i);
const out = new Int32Array(KEYS);
while (Atomics.load(state.control, 0) === 0 && report.violations.length < 10) {
  let deathsBefore = Atomics.load(state.control, 1);
  for (let key = 0; key < KEYS; key += 1) check(key, table.get(key) ?? 0, deathsBefore);
  report.reads += KEYS;
  deathsBefore = Atomics.load(state.control, 1);
  table.getBatch(keys, out);
  for (let key = 0; key < KEYS; key += 1) check(key, out[key], deathsBefore);
  report.batchedReads += KEYS;
}
report.distinctSeen = seen.size;
table.close().then(() => parentPort?.postMessage(report));
