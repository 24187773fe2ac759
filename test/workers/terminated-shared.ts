// Shared between the termination test and its workers (which the test terminates: they never
// report anything themselves; the table and device counters tell what they did).
export type TerminatedRole = 'redirect-async' | 'redirect-sync' | 'redirect-heavy' | 'update-async' | 'update-sync';

export interface TerminatedData {
  role: TerminatedRole;
  /** This worker's cell in `progress`. */
  index: number;
  arrayId: number;
  hashId: number;
  /** The array table's keys are 0 .. arrayKeys - 1 (redirectors also use a few beyond). */
  arrayKeys: number;
  /** The hash table's keys (redirectors also use a few absent ones). */
  hashKeys: number[];
  /** Devices to point entries at (one may be unregistered during the round: ENODEV). */
  ifindexes: number[];
  /** progress[index] += 1 after each iteration: > 0 means running. */
  progress: Int32Array;
  seed: number;
}

/** xorshift32, so each worker's choices differ but runs are reproducible per seed. */
export function xorshift(seed: number): (n: number) => number {
  let state = seed | 0 || 1;
  return (n: number): number => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) % n;
  };
}
