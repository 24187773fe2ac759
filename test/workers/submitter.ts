// A submit-queue worker: opens a table by id, stages frames with ids (worker << 20 | seq) in its
// own SubmitQueue and submits them in batches of 1..capacity; reports the ids delivered (verdict
// 0) and refused by a ring (-ENOBUFS), and what submit returned. With `exitWithoutClose` it
// leaves without closing anything (teardown releases the queue and the handle).
import { parentPort, workerData } from 'node:worker_threads';
import { RedirectTable, Verdict } from '../../lib';

export interface SubmitterData {
  tableId: number;
  worker: number;
  keyCount: number;
  frames: number;
  exitWithoutClose: boolean;
  /** When given: [0] counts arrivals, [1] departures; every submitter starts after all arrived
   * and leaves after all are done, so they are alive (and transmitting) at the same time. */
  together?: { barrier: Int32Array; parties: number };
}

export interface SubmitterReport {
  delivered: number[];
  refused: number[];
  returned: number;
  capacityOk: boolean;
}

const { tableId, worker, keyCount, frames, exitWithoutClose, together } = workerData as SubmitterData;
const meet = (index: number): void => {
  if (together === undefined) return;
  const { barrier, parties } = together;
  Atomics.add(barrier, index, 1);
  Atomics.notify(barrier, index);
  for (let seen = Atomics.load(barrier, index); seen < parties; seen = Atomics.load(barrier, index)) {
    Atomics.wait(barrier, index, seen);
  }
};
const table = RedirectTable.open(tableId);
const queue = table.submitQueue({ capacity: 64 });
const report: SubmitterReport = { delivered: [], refused: [], returned: 0, capacityOk: queue.keys.length === 64 };
let seq = 0;
meet(0);
while (seq < frames) {
  const n = Math.min(1 + (seq % 64), frames - seq);
  for (let i = 0; i < n; i += 1) {
    queue.keys[i] = (seq + i) % keyCount;
    queue.ids[i] = (worker << 20) | (seq + i);
    queue.lengths[i] = 64;
  }
  report.returned += queue.submit(n);
  for (let i = 0; i < n; i += 1) {
    if (queue.verdicts[i] === Verdict.OK) report.delivered.push(queue.ids[i]);
    else if (queue.verdicts[i] === Verdict.ENOBUFS) report.refused.push(queue.ids[i]);
  }
  seq += n;
}
meet(1);
if (exitWithoutClose) {
  parentPort?.postMessage(report);
} else {
  void table.close().then(() => parentPort?.postMessage(report));
}
