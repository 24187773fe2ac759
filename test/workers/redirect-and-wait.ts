// A worker that redirects one batch through a table opened by id, reports, and stays alive until
// told to exit: its per-thread datapath state exists from the first redirect to its exit.
import { parentPort, workerData } from 'node:worker_threads';
import { memoryUsage, RedirectTable } from '../../lib';

const { tableId } = workerData as { tableId: number };
const table = RedirectTable.open(tableId);
table.redirect(new Uint32Array([0, 1]), new Uint32Array([7, 8]), new Uint32Array([64, 64]));
parentPort!.postMessage(memoryUsage());
parentPort!.once('message', () => {
  table.close().then(() => process.exit(0));
});
