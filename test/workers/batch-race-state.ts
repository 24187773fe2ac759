// Shared layout of the setBatch race test (main thread and racers).
export const CTRL_ROUND = 0; // the round the racers may start
export const CTRL_READY = 1; // racers at the barrier, cumulative over rounds
export const CTRL_DONE = 2; // racers finished, cumulative over rounds

export interface BatchRaceData {
  tableId: number;
  worker: number;
  workers: number;
  ifindex: number;
  rounds: number;
  batch: number;
  control: Int32Array;
  /** per worker: 0 returned, 1 threw E2BIG, 2 threw something else */
  status: Int32Array;
  /** per worker: the key the E2BIG message named (-1 when none) */
  namedKey: Float64Array;
}

/** The keys racer `worker` sets in `round`: a range no other racer or round uses. */
export function batchKeys(worker: number, round: number, batch: number): Uint32Array {
  const keys = new Uint32Array(batch);
  const base = 0x1000_0000 + worker * 0x0100_0000 + round * batch;
  for (let i = 0; i < batch; i += 1) keys[i] = base + i;
  return keys;
}
