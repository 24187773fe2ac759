// Opens a table, says so, and sets one key when shared[0] turns 1.
import { parentPort, workerData } from 'node:worker_threads';
import { RedirectTable } from '../../lib';

const { tableId, key, ifindex, shared } = workerData as { tableId: number; key: number; ifindex: number; shared: Int32Array };
const table = RedirectTable.open(tableId);
parentPort!.postMessage('ready');
while (Atomics.load(shared, 0) === 0) Atomics.wait(shared, 0, 0);
table.set(key, ifindex);
table.close().then(() => parentPort!.postMessage('set'));
