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
}

export interface SubmitterReport {
  delivered: number[];
  refused: number[];
  returned: number;
  capacityOk: boolean;
}

const { tableId, worker, keyCount, frames, exitWithoutClose } = workerData as SubmitterData;
const table = RedirectTable.open(tableId);
const queue = table.submitQueue({ capacity: 64 });
const report: SubmitterReport = { delivered: [], refused: [], returned: 0, capacityOk: queue.keys.length === 64 };
let seq = 0;
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
if (exitWithoutClose) {
  parentPort?.postMessage(report);
} else {
  void table.close().then(() => parentPort?.postMessage(report));
}
