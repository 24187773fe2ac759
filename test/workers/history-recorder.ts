// History recorder worker: opens a shared table by id, waits at the start barrier, runs the random
// per-key workload while logging every operation on the shared clock, then closes its handle.
import { parentPort, workerData } from 'node:worker_threads';
import { RedirectTable } from '../../lib';
import { HistoryLog, Recorder, SharedClock, StartBarrier } from '../linearizability/recorder';
import { runWorkload, WorkloadOptions } from '../linearizability/workload';

export interface HistoryRecorderData extends WorkloadOptions {
  tableId: number;
  process: number;
  clock: SharedArrayBuffer;
  barrier: SharedArrayBuffer;
  log: SharedArrayBuffer;
}

const data = workerData as HistoryRecorderData;
const table = RedirectTable.open(data.tableId);
const log = new HistoryLog(data.log);
const recorder = new Recorder(new SharedClock(data.clock), log, data.process);
const barrier = new StartBarrier(data.barrier);
barrier.arrive();
barrier.wait();
runWorkload(table, recorder, data);
table.close().then(() => parentPort?.postMessage({ recorded: log.length }));
