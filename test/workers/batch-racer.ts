// A setBatch racer for the batch-atomicity test: each round, waits for the main thread's go,
// meets the other racers at a spin barrier, then sets its own fresh key range in one setBatch
// and reports whether the call returned (0), threw E2BIG (1, with the key its message names)
// or threw something else (2).
import { workerData } from 'node:worker_threads';
import { RedirectError, RedirectTable } from '../../lib';
import { BatchRaceData, batchKeys, CTRL_DONE, CTRL_READY, CTRL_ROUND } from './batch-race-state';

const { tableId, worker, workers, ifindex, rounds, batch, control, status, namedKey } = workerData as BatchRaceData;
const table = RedirectTable.open(tableId);
const ifindexes = new Int32Array(batch).fill(ifindex);

for (let round = 1; round <= rounds; round += 1) {
  Atomics.wait(control, CTRL_ROUND, round - 1); // returns at once when the round already started
  const keys = batchKeys(worker, round, batch);
  Atomics.add(control, CTRL_READY, 1);
  while (Atomics.load(control, CTRL_READY) < workers * round) {
    // spin: every racer calls setBatch at the same moment
  }
  let result = 0;
  try {
    table.setBatch(keys, ifindexes);
  } catch (error) {
    result = error instanceof RedirectError && error.code === 'E2BIG' ? 1 : 2;
    const named = /key (\d+)/.exec(String((error as Error).message));
    namedKey[worker] = named ? Number(named[1]) : -1;
  }
  status[worker] = result;
  Atomics.add(control, CTRL_DONE, 1);
  Atomics.notify(control, CTRL_DONE);
}
void table.close();
