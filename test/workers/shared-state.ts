// Shared memory between the worker test's main thread and its readers.
export const KEYS = 64;
export const MAX_IFINDEX = 1 << 16;

export interface SharedState {
  /** [0]: stop flag, [1]: number of unregistrations announced so far */
  control: Int32Array;
  /** deathSeq[ifindex]: announcement number of the finished unregistration (0 while live). */
  deathSeq: Int32Array;
  /** everSet[key * MAX_IFINDEX + ifindex] = 1 once the main thread tried to set it. */
  everSet: Uint8Array;
}

export function createSharedState(): SharedState {
  return {
    control: new Int32Array(new SharedArrayBuffer(8)),
    deathSeq: new Int32Array(new SharedArrayBuffer(4 * MAX_IFINDEX)),
    everSet: new Uint8Array(new SharedArrayBuffer(KEYS * MAX_IFINDEX)),
  };
}

export interface ReaderReport {
  reads: number;
  hits: number;
  batchedReads: number;
  violations: string[];
  distinctSeen: number;
}
