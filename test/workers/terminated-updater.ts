// An updater the termination test terminates at a random point: set / delete / setBatch /
// compareAndDelete on both tables, in an endless synchronous loop (update-sync) or yielding
// between iterations (update-async).
import { workerData } from 'node:worker_threads';
import { RedirectError, RedirectTable } from '../../lib';
import { TerminatedData, xorshift } from './terminated-shared';

const data = workerData as TerminatedData;
const random = xorshift(data.seed);
const tables = [RedirectTable.open(data.arrayId), RedirectTable.open(data.hashId)];
const randomKey = (table: number): number =>
  table === 0 ? random(data.arrayKeys) : data.hashKeys[random(data.hashKeys.length)];
const randomIfindex = (): number => data.ifindexes[random(data.ifindexes.length)];
const batchKeys = new Uint32Array(4);
const batchIfindexes = new Int32Array(4);

// ENODEV: the device was unregistered during the round; ENOENT / EBUSY: a conditional delete
// lost a race with another updater.
const expected = new Set(['ENODEV', 'ENOENT', 'EBUSY']);

function step(): void {
  const table = random(2);
  const t = tables[table];
  const key = randomKey(table);
  const op = random(10);
  try {
    if (op < 4) {
      t.set(key, randomIfindex());
    } else if (op < 6) {
      t.delete(key);
    } else if (op < 8) {
      for (let i = 0; i < batchKeys.length; i += 1) {
        batchKeys[i] = randomKey(table);
        batchIfindexes[i] = randomIfindex();
      }
      t.setBatch(batchKeys, batchIfindexes);
    } else {
      const entry = t.entry(key);
      if (entry !== undefined) t.compareAndDelete(key, entry.revision);
    }
  } catch (error) {
    if (!(error instanceof RedirectError) || !expected.has(error.code)) throw error;
  }
}

function iteration(): void {
  for (let i = 0; i < 100; i += 1) step();
}

if (data.role === 'update-async') {
  void (async () => {
    for (;;) {
      iteration();
      Atomics.add(data.progress, data.index, 1);
      await new Promise((resolve) => setImmediate(resolve));
    }
  })();
} else {
  for (;;) {
    iteration();
    Atomics.add(data.progress, data.index, 1);
  }
}
