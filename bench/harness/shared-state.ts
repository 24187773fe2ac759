// Memory one benchmark phase shares between its threads: the start barrier and the phase's
// state, the checker's record of what the writers did (per key and per device), the device
// pool the writers point entries at, and live progress counters.

/** Devices one phase may create; the checker numbers them `id - deviceBase`. */
export const MAX_DEVICES = 1 << 14;
/** Threads that may report progress (readers first, then the control roles). */
export const MAX_THREADS = 64;

/** control[STATE]: what the readers do now. */
export const STATE = { setup: 0, get: 1, redirect: 2, stop: 3 } as const;

/** Indexes into `control`. */
export const CONTROL = {
  /** threads arrived at the start barrier */
  arrived: 0,
  /** one of STATE */
  state: 1,
  /** unregistrations resolved so far (the announcement counter readers compare against) */
  deaths: 2,
  /** ids minus this are device numbers (1..MAX_DEVICES-1) */
  deviceBase: 3,
  /** pool slots filled by the churner (its setup is done when this equals the pool size) */
  poolReady: 4,
  /** devices created so far; their ids are in `created[0..count)` */
  createdCount: 5,
  /** 1 once the churner released every device (readers answer purges until then) */
  churnerDone: 6,
  /** where the updater, the deleter and the churner are on the shared schedule (harness/timeline.ts) */
  updaterAt: 7,
  deleterAt: 8,
  churnerAt: 9,
} as const;

/** Device lifecycle as the checker sees it (set by the churner). */
export const DEVICE = { unused: 0, live: 1, unregistering: 2, unregistered: 3 } as const;

export interface PhaseShared {
  control: Int32Array;
  /** Per key: a writer's lock, so that each write and its record are one step for the checker. */
  keyLock: Int32Array;
  /** Per key: writes begun and writes completed (equal when no write is in flight). */
  started: Int32Array;
  completed: Int32Array;
  /** Per key: the device id the last completed write left (0: none). */
  value: Int32Array;
  /** Per device number: one of DEVICE. */
  deviceState: Int32Array;
  /** Per device number: the value of control[deaths] its unregistration resolved as (0: not yet). */
  deathSeq: Int32Array;
  /** Device ids the updater points entries at; the churner replaces them. */
  pool: Int32Array;
  /** Every device id created in this phase, in order (for draining and the final sums). */
  created: Int32Array;
  /** Per device number: frames handed to the device (tx + drops + errors) when its
   * unregistration resolved, as the churner read it; -1 when not recorded. */
  handedAtRelease: Float64Array;
  /** Per thread: operations done so far (progress line; written by the owner only). */
  progress: Float64Array;
}

export function createPhaseShared(keys: number, poolSize: number): PhaseShared {
  const i32 = (n: number): Int32Array => new Int32Array(new SharedArrayBuffer(4 * n));
  const f64 = (n: number): Float64Array => new Float64Array(new SharedArrayBuffer(8 * n));
  return {
    control: i32(10),
    keyLock: i32(keys),
    started: i32(keys),
    completed: i32(keys),
    value: i32(keys),
    deviceState: i32(MAX_DEVICES),
    deathSeq: i32(MAX_DEVICES),
    pool: i32(poolSize),
    created: i32(MAX_DEVICES),
    handedAtRelease: f64(MAX_DEVICES).fill(-1),
    progress: f64(MAX_THREADS),
  };
}

/** Device number of `id` in this phase (throws for an id the checker cannot track). */
export function deviceNumber(shared: PhaseShared, id: number): number {
  const n = id - shared.control[CONTROL.deviceBase];
  if (n <= 0 || n >= MAX_DEVICES) throw new Error(`bench: device id ${id} outside the checker's range`);
  return n;
}

/** Blocks the calling thread for `ms` milliseconds (fractions allowed) without spinning. */
const sleeper = new Int32Array(new SharedArrayBuffer(4));
export function sleepMs(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}

/** Arrive at the start barrier, then wait until the main thread moves the state past setup. */
export function arriveAndWait(shared: PhaseShared): void {
  Atomics.add(shared.control, CONTROL.arrived, 1);
  Atomics.notify(shared.control, CONTROL.arrived);
  while (Atomics.load(shared.control, CONTROL.state) === STATE.setup) {
    Atomics.wait(shared.control, CONTROL.state, STATE.setup, 100);
  }
}
