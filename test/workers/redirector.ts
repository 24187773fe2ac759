// Redirector worker for the conservation test: redirects random keys in batches (redirect and a
// SubmitQueue in turn) and single frames (left for the automatic end-of-task flush), ids encoding (worker, seq), and marks in
// shared bitmaps every id a batch delivered, every id a ring refused and every single frame queued.
import { parentPort, workerData } from 'node:worker_threads';
import { RedirectTable, Verdict } from '../../lib';
import { DEFAULT_MTU } from '../../lib/constants';
import { SEQ_BITS, RedirectorData, RedirectorReport } from './conservation-state';

const { tableId, worker, control, delivered, queued, refused, keyCount, framesPerSecond } = workerData as RedirectorData;
const table = RedirectTable.open(tableId);
const maxSeq = (1 << SEQ_BITS) - 256;
let seq = 0;
const counts = { delivered: 0, returned: 0, queued: 0, refused: 0 };
let rng = 0x9e3779b9 ^ (worker * 0x85ebca6b);
const random = (n: number): number => {
  rng ^= rng << 13;
  rng ^= rng >>> 17;
  rng ^= rng << 5;
  return (rng >>> 0) % n;
};
const mark = (bitmap: Int32Array, id: number): void => {
  Atomics.or(bitmap, id >>> 5, 1 << (id & 31));
};

async function run(): Promise<void> {
  const n = 128;
  const keys = new Uint32Array(n);
  const ids = new Uint32Array(n);
  const lengths = new Uint32Array(n);
  const verdicts = new Int32Array(n);
  const queue = table.submitQueue({ capacity: n });
  let staged = false;
  const start = performance.now();
  while (Atomics.load(control, 0) === 0 && seq < maxSeq) {
    if (seq > ((performance.now() - start) / 1000) * framesPerSecond) {
      await new Promise((resolve) => setImmediate(resolve)); // paced, and a task boundary
      continue;
    }
    staged = !staged;
    const [k, d, l, v] = staged ? [queue.keys, queue.ids, queue.lengths, queue.verdicts] : [keys, ids, lengths, verdicts];
    for (let i = 0; i < n; i += 1) {
      k[i] = random(keyCount);
      d[i] = (worker << SEQ_BITS) | seq++;
      l[i] = 64 + random(DEFAULT_MTU + 100); // some longer than the default MTU (1500)
    }
    counts.returned += staged ? queue.submit(n) : table.redirect(keys, ids, lengths, verdicts);
    for (let i = 0; i < n; i += 1) {
      if (v[i] === Verdict.OK) {
        mark(delivered, d[i]);
        counts.delivered += 1;
      } else if (v[i] === Verdict.ENOBUFS || v[i] === Verdict.EIO) {
        mark(refused, d[i]);
        counts.refused += 1;
      }
    }
    // Per-frame frames, deliberately not flushed: the end of the task must transmit them.
    for (let i = 0; i < 16; i += 1) {
      const id = (worker << SEQ_BITS) | seq++;
      if (table.redirectOne(random(keyCount), id, 64) === Verdict.OK) {
        mark(queued, id);
        counts.queued += 1;
      }
    }
    await Promise.resolve();
  }
  await table.close();
  const report: RedirectorReport = { ...counts, sent: seq };
  parentPort?.postMessage(report);
}

void run();
