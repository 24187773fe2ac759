// A redirector the termination test terminates at a random point.
//  redirect-async: batches on both tables plus per-frame frames left for the end-of-task flush,
//                  yielding between iterations (terminated between or inside tasks);
//  redirect-sync:  the same in one endless synchronous loop: its per-frame read-side section is
//                  never closed by a task boundary, so termination interrupts JS mid-loop with
//                  the section open (teardown must flush and close it);
//  redirect-heavy: large batches in an endless loop (terminate lands inside a native call,
//                  which runs to completion first).
import { workerData } from 'node:worker_threads';
import { RedirectTable } from '../../lib';
import { DEFAULT_MTU } from '../../lib/constants';
import { TerminatedData, xorshift } from './terminated-shared';

const data = workerData as TerminatedData;
const random = xorshift(data.seed);
const tables = [RedirectTable.open(data.arrayId), RedirectTable.open(data.hashId)];
const absentHashKey = Math.max(...data.hashKeys) + 1;
const randomKey = (table: number): number => {
  if (table === 0) return random(data.arrayKeys + 2); // a few beyond maxEntries: misses
  const i = random(data.hashKeys.length + 1);
  return i < data.hashKeys.length ? data.hashKeys[i] : absentHashKey;
};

const heavy = data.role === 'redirect-heavy';
const n = heavy ? 1 << 16 : 64;
const keys = [new Uint32Array(n), new Uint32Array(n)];
const ids = new Uint32Array(n);
const lengths = new Uint32Array(n);
const verdicts = new Int32Array(n);
let nextId = 0;
const refill = (table: number): void => {
  const k = keys[table];
  for (let i = 0; i < n; i += 1) {
    k[i] = randomKey(table);
    ids[i] = nextId++ >>> 0;
    lengths[i] = 64 + random(DEFAULT_MTU); // a few longer than the default MTU (1500): refused
  }
};

function iteration(): void {
  if (heavy) {
    const table = random(2);
    tables[table].redirect(keys[table], ids, lengths, verdicts);
    return;
  }
  for (let table = 0; table < 2; table += 1) {
    refill(table);
    tables[table].redirect(keys[table], ids, lengths, verdicts);
  }
  // Per-frame frames, not flushed: the read-side section stays open until the end of the task.
  for (let i = 0; i < 48; i += 1) {
    const table = random(2);
    tables[table].redirectOne(randomKey(table), nextId++ >>> 0, 64 + random(1400));
  }
}

if (heavy) {
  refill(0);
  refill(1);
}

if (data.role === 'redirect-async') {
  void (async () => {
    for (;;) {
      iteration();
      Atomics.add(data.progress, data.index, 1);
      if (random(2) === 0) await new Promise((resolve) => setImmediate(resolve));
      else await Promise.resolve();
    }
  })();
} else {
  for (;;) {
    iteration();
    Atomics.add(data.progress, data.index, 1);
  }
}
