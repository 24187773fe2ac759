// One short-lived worker of the soak's worker churn (bench/soak/worker-churn.ts): reads and
// redirects through a table opened by id, once and exits, or in a loop until terminated.
import { workerData } from 'node:worker_threads';
import { RedirectTable } from '../../lib';

const { tableId, ifindex, loop } = workerData as { tableId: number; ifindex: number; loop: boolean };
const table = RedirectTable.open(tableId);
const n = 64;
const keys = new Uint32Array(n).map((_, i) => i % table.maxEntries);
const ids = new Uint32Array(n).map((_, i) => i);
const lengths = new Uint32Array(n).fill(64);
const verdicts = new Int32Array(n);
table.set(0, ifindex);
do {
  for (let i = 0; i < 1000; i += 1) table.get(i % table.maxEntries);
  table.redirect(keys, ids, lengths, verdicts);
} while (loop);
void table.close();
