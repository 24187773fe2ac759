// Reads one key of an array table in a tight loop (`while (get(key) === before) {}`: nothing else
// in the loop), so that the engine optimizes it, until the slot changes; reports what it read.
// shared[0] is set once it spins, shared[1] once it saw the change.
import { parentPort, workerData } from 'node:worker_threads';
import { RedirectTable } from '../../lib';

export interface SpinnerReport {
  before: number | null;
  after: number | null;
}

const { tableId, key, shared } = workerData as { tableId: number; key: number; shared: Int32Array };
const { get } = RedirectTable.open(tableId);

function spin(before: number | undefined): void {
  while (get(key) === before) {}
}

const before = get(key);
Atomics.store(shared, 0, 1);
Atomics.notify(shared, 0);
spin(before);
Atomics.store(shared, 1, 1);
Atomics.notify(shared, 1);
const report: SpinnerReport = { before: before ?? null, after: get(key) ?? null };
parentPort!.postMessage(report);
