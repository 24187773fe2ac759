// The bench-only peers addon (bench/peers/native, built by scripts/build-bench-addon.js): tables
// guarded by one lock, and a plain native lookup loop, that the benchmark runs against the
// lock-free table so that the comparison isolates the synchronisation scheme.
import * as path from 'node:path';

/** The lock guarding a locked table: readers shared / writers exclusive, or one mutex for all. */
export type LockKind = 'shared_mutex' | 'mutex';

export interface LockedTableStats {
  /** Frames transmitted into the devices' rings, over every device the table ever had. */
  frames: number;
  bytes: number;
  /** Frames refused by a full ring. */
  drops: number;
  /** Frames transmitted to an unregistered device: the lock makes it impossible, must stay 0. */
  framesToDeadDevices: number;
  liveDevices: number;
}

/**
 * Every function is synchronous and callable from any thread; tables are process-global (ids
 * 1, 2, ... seen by every worker). Wrong argument types throw TypeError, a bad table id Error.
 */
export interface PeersAddon {
  /**
   * A table of `maxEntries` slots (0 = empty, else a device id) and its device registry under
   * one lock of `kind`. Returns its id.
   * @throws RangeError maxEntries not an integer in [1, 2^32 - 1]
   */
  createLockedTable(kind: LockKind, maxEntries: number): number;
  /** Frees the table's slots and devices; every later call with `id` throws Error. */
  destroyLockedTable(id: number): void;
  /** A new live device (1, 2, ...). @throws RangeError after 65536 devices */
  lockedCreateDevice(id: number): number;
  /**
   * Exclusive lock: empties every slot holding `device` and marks it dead; once it returns no
   * reader sees or transmits to it. A dead or unknown device is ignored.
   */
  lockedUnregister(id: number, device: number): void;
  /** Exclusive lock. False (no change) for a dead or unknown device. @throws RangeError key >= maxEntries */
  lockedSet(id: number, key: number, device: number): boolean;
  /** Exclusive lock. True if the slot held a device. @throws RangeError key >= maxEntries */
  lockedDelete(id: number, key: number): boolean;
  /** Exclusive lock: empties the slot only if it holds `expectedDevice`. @throws RangeError key >= maxEntries */
  lockedCompareAndDelete(id: number, key: number, expectedDevice: number): boolean;
  /** Read lock. The slot's device, 0 when empty. @throws RangeError key >= maxEntries */
  lockedGet(id: number, key: number): number;
  /**
   * One read-lock acquisition for the whole batch: frame i (`ids[i]`, `lengths[i]` bytes) goes
   * to the device in slot `keys[i]` (an empty slot or a key out of range is a miss), through
   * per-call bulk queues (16 frames per bulk) into the device's ring — our table's transmit ring
   * (addon/core/sink), so both do the same work per frame. Returns the frames that found a
   * device (transmitted or dropped by a full ring).
   * @throws RangeError unless the three arrays have one length
   */
  lockedRedirect(id: number, keys: Uint32Array, ids: Uint32Array, lengths: Uint32Array): number;
  /** Read lock. Sums over the table's devices. */
  lockedStats(id: number): LockedTableStats;
  /** Takes up to `ids.length` frame ids out of `device`'s ring (also after its unregistration). */
  lockedReceive(id: number, device: number, ids: Uint32Array): number;
  /**
   * The floor of a batched lookup through N-API, no lock and no atomics:
   * `out[i] = keys[i] < slots.length ? slots[keys[i]] : 0`. Returns the nonzero results.
   * @throws RangeError out.length < keys.length
   */
  plainLookupBatch(slots: Uint32Array, keys: Uint32Array, out: Int32Array): number;
  /** The floor of a native call. */
  noop(): undefined;
}

// Compiled to dist/bench/peers/native-addon.js: three levels up is the repository root.
const ROOT = path.join(__dirname, '..', '..', '..');

/** The bench-only peers addon, built if missing or stale; quiet unless the build fails. */
export function ensurePeersAddon(): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { ensureBuilt } = require(path.join(ROOT, 'scripts', 'build-bench-addon.js')) as { ensureBuilt: () => number };
  if (ensureBuilt() !== 0) throw new Error('the bench-only peers addon (bench/peers/native) could not be built (its output is above)');
}

let loaded: PeersAddon | undefined;

/** The addon, loaded on first use (so `--help` and runs of our tables alone need no build). */
export function loadPeers(): PeersAddon {
  loaded ??= require(path.join(ROOT, 'bench', 'peers', 'native', 'build', 'Release', 'bench_peers.node')) as PeersAddon;
  return loaded;
}
