// A short-lived worker: opens a table by id, reads, maybe writes, and exits (with or without
// closing its handle, so both the explicit and the teardown release paths run).
import { parentPort, workerData } from 'node:worker_threads';
import { RedirectTable } from '../../lib';

const { tableId, ifindex, close } = workerData as { tableId: number; ifindex: number; close: boolean };
const table = RedirectTable.open(tableId);
let hits = 0;
for (let i = 0; i < 1000; i += 1) hits += table.get(i % table.maxEntries) === undefined ? 0 : 1;
table.getBatch(new Uint32Array([0, 1, 2]), new Int32Array(3));
table.set(1, ifindex);
if (close) {
  table.close().then(() => parentPort?.postMessage(hits));
} else {
  parentPort?.postMessage(hits);
}
