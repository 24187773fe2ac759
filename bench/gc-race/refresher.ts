// A flow refresher: each flow it owns is hit (redirected, which refreshes its entry's lastUsed)
// at random intervals of 0..2*idleMs, so about half its gaps make it idle and many flows come
// back just as a collector is deciding to expire them. A missing entry is re-created (a new
// flow). `lastTouch[key]` records the clock of each successful hit.
import { parentPort, workerData } from 'node:worker_threads';
import { RedirectTable } from '../../lib';

const { tableId, first, count, idleMs, ifindex, control, lastTouch } = workerData as {
  tableId: number;
  first: number;
  count: number;
  idleMs: number;
  ifindex: number;
  control: Int32Array;
  lastTouch: Float64Array;
};
const table = RedirectTable.open(tableId);
const nextAt = new Float64Array(count);
const one = new Uint32Array(1);
const id = new Uint32Array(1);
const length = new Uint32Array([64]);
const verdict = new Int32Array(1);
let hits = 0;

while (Atomics.load(control, 0) === 0) {
  const now = RedirectTable.clock();
  for (let i = 0; i < count; i += 1) {
    if (now < nextAt[i]) continue;
    nextAt[i] = now + Math.random() * 2 * idleMs;
    const key = first + i;
    one[0] = key;
    id[0] = hits;
    // Read before the hit: the hit's own stamp is at least this, so a conditional delete that
    // compared an older stamp must fail. (Read after, a tick could pass and blame the collector.)
    const touchedAt = RedirectTable.clock();
    table.redirect(one, id, length, verdict);
    if (verdict[0] === 0) {
      lastTouch[key] = touchedAt;
      hits += 1;
    } else {
      table.set(key, ifindex); // the flow starts again
    }
  }
}
table.close().then(() => parentPort?.postMessage(hits));
