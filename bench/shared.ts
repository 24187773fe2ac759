// Memory shared between the benchmark's control thread and its reader workers.
export const MAX_IFINDEX = 1 << 16;

export interface BenchShared {
  /** [0] phase (0 wait, 1 per-call, 2 batched, 3 stop), [1] unregistrations announced */
  control: Int32Array;
  /** deathSeq[ifindex]: announcement number of its finished unregistration (0 while live) */
  deathSeq: Int32Array;
  /** everSet[key * MAX_IFINDEX + ifindex] = 1 once the control thread set (or tried to set) it */
  everSet: Uint8Array;
}

export const PHASE = { wait: 0, perCall: 1, batched: 2, stop: 3 } as const;

export function createBenchShared(keys: number): BenchShared {
  return {
    control: new Int32Array(new SharedArrayBuffer(8)),
    deathSeq: new Int32Array(new SharedArrayBuffer(4 * MAX_IFINDEX)),
    everSet: new Uint8Array(new SharedArrayBuffer(keys * MAX_IFINDEX)),
  };
}

export interface PhaseResult {
  lookups: number;
  seconds: number;
  hits: number;
  checked: number;
  inconsistent: number;
}

export interface ReaderResult {
  thread: number;
  noopPerSecond: number;
  perCall: PhaseResult;
  batched: PhaseResult;
  examples: string[];
}
