// Redirects single frames in an endless synchronous loop: its read-side section never closes
// by itself (no task boundary), until the worker is terminated.
import { parentPort, workerData } from 'node:worker_threads';
import { RedirectTable } from '../../lib';

const { tableId } = workerData as { tableId: number };
const table = RedirectTable.open(tableId);
parentPort?.postMessage('running');
for (let id = 0; ; id = (id + 1) >>> 0) table.redirectOne(id & 7, id, 64);
