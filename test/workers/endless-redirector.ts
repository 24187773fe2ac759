// Redirects single frames in an endless synchronous loop: its read-side section never closes
// by itself (no task boundary), until the worker is terminated.
import { parentPort, workerData } from 'node:worker_threads';
import { RedirectTable } from '../../lib';

const { tableId } = workerData as { tableId: number };
const table = RedirectTable.open(tableId);
// The first frame opens the section: only then is the worker known to hold grace periods back.
table.redirectOne(0, 0, 64);
parentPort?.postMessage('running');
for (let id = 1; ; id = (id + 1) >>> 0) table.redirectOne(id & 7, id, 64);
