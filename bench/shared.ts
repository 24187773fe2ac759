// Memory shared between the benchmark's control thread and its reader workers.
/** Devices one run may create; the checker numbers them ifindex - base. */
export const MAX_DEVICES = 1 << 13;
const WORDS_PER_KEY = MAX_DEVICES / 32;

export interface BenchShared {
  /** [0] phase (0 wait, 1 per-call, 2 batched, 3 redirect, 4 stop), [1] unregistrations announced */
  control: Int32Array;
  /** [0] the ifindex of the run's first device: device number = ifindex - base */
  base: Int32Array;
  /** deathSeq[device]: announcement number of its finished unregistration (0 while live) */
  deathSeq: Int32Array;
  /** everSet: bit (key, device) set once the control thread set (or tried to set) it. A bitset,
   * small enough to stay in cache, so checking a read costs little next to the read. */
  everSet: Int32Array;
}

export const PHASE = { wait: 0, perCall: 1, batched: 2, redirect: 3, stop: 4 } as const;

export function createBenchShared(keys: number): BenchShared {
  return {
    control: new Int32Array(new SharedArrayBuffer(8)),
    base: new Int32Array(new SharedArrayBuffer(4)),
    deathSeq: new Int32Array(new SharedArrayBuffer(4 * MAX_DEVICES)),
    everSet: new Int32Array(new SharedArrayBuffer(4 * keys * WORDS_PER_KEY)),
  };
}

/** Device number of `ifindex` in this run, or -1 when it is not one of the run's devices. */
export function deviceNumber(shared: BenchShared, ifindex: number): number {
  const n = ifindex - shared.base[0];
  return n >= 0 && n < MAX_DEVICES ? n : -1;
}

export function markSet(shared: BenchShared, key: number, device: number): void {
  Atomics.or(shared.everSet, key * WORDS_PER_KEY + (device >>> 5), 1 << (device & 31));
}

export function wasSet(shared: BenchShared, key: number, device: number): boolean {
  return (Atomics.load(shared.everSet, key * WORDS_PER_KEY + (device >>> 5)) & (1 << (device & 31))) !== 0;
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
  /** redirect phase: lookups = frames offered, hits = frames accepted */
  redirect: PhaseResult;
  examples: string[];
}
