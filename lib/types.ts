// The shared data types of the public API: plain shapes, no class. Every module may import
// them; this module imports nothing (so the modules that import each other's types form no
// circle). The classes (Namespace, Device, RedirectTable) and the values live elsewhere.

// Devices (lib/namespace.ts)

/** Lifecycle of a device, as in the kernel's `reg_state`. */
export type DeviceState = 'registered' | 'unregistering' | 'unregistered' | 'released';

export interface DeviceOptions {
  /** Maximum frame length, 68..65535 (default 1500). */
  mtu?: number;
  /** Whether the device starts up (default `true`; the kernel starts devices down). */
  up?: boolean;
  /** Frames its transmit ring holds, a power of two up to 2^24 (default 4096). */
  ringSize?: number;
  /** The device can never move to another namespace (default `false`). */
  netnsLocal?: boolean;
}

/** plain, one end of a veth pair, an upper stacked on a lower device, or a tunnel. */
export type DeviceKind = 'plain' | 'veth' | 'ipvlan' | 'macvlan' | 'tunnel';

export interface MoveOptions {
  /** Its name in the target namespace (default: its current name). */
  name?: string;
}

/** Transmit counters of a device (summed over every thread that transmitted). */
export interface DeviceStats {
  /** Frames accepted into the ring. */
  readonly txFrames: number;
  /** Bytes (sum of frame lengths) accepted into the ring. */
  readonly txBytes: number;
  /** Frames refused: ring full, or beyond a fault's `acceptAtMost`. */
  readonly drops: number;
  /** Frames failed by an `error` transmit fault. */
  readonly errors: number;
  /** Transmit calls (bulks of up to 16 frames). */
  readonly bulks: number;
  /** Frames in the rings, not yet received. */
  readonly queued: number;
  /** Capacity of each producer lane's ring. */
  readonly ringSize: number;
  /** Rings the device has: 1 at creation (the first producer's lane), one more for each
   * further producer thread (up to 7 own one; the rest share one more). */
  readonly lanes: number;
  /**
   * Transmits that woke consumers waiting in `readable()` / `frames()`: at most one per
   * empty → non-empty transition of the ring that someone waited for, never one per frame.
   */
  readonly wakeups: number;
  /** Calls of `readable()` (and `frames()` steps) waiting for frames right now, in any thread. */
  readonly waiters: number;
}

/** Fault injection for transmits, like a driver's `ndo_xdp_xmit` failing. */
export interface TransmitFault {
  /** Every following transmit fails: all frames of each bulk count as errors. */
  error?: boolean;
  /** Each following transmit accepts at most this many frames of its bulk; the rest are drops. */
  acceptAtMost?: number;
}

// Namespaces (lib/namespace.ts)

/** Lifecycle of a namespace. */
export type NamespaceState = 'alive' | 'destroying' | 'destroyed';

// Tables (lib/redirect-table.ts)

/** What a slot holds: the destination's ifindex and the entry's revision. */
export interface TableEntry {
  readonly ifindex: number;
  /** Process-wide and unique, drawn when `set` began: larger than the revision of any set of
   * the same key that completed before; overlapping sets may publish in either order. */
  readonly revision: number;
  /** `RedirectTable.clock()` milliseconds of the entry's last datapath hit (or its creation). */
  readonly lastUsed: number;
}

/** Every entry at one moment, for collectors (parallel arrays). */
export interface TableSnapshot {
  readonly keys: Uint32Array;
  readonly ifindexes: Int32Array;
  readonly revisions: Float64Array;
  readonly lastUsed: Float64Array;
}

/** Datapath counters of a table, summed over every thread. */
export interface TableStats {
  /** Frames that passed their verdict and entered a bulk queue; a broadcast counts one per
   * copy. Delivered = redirected - noBufs - txErrors. */
  readonly redirected: number;
  /** Frames refused with -ENOENT (empty slot or key out of range). */
  readonly misses: number;
  /** Frames refused with -ENETDOWN. */
  readonly down: number;
  /** Frames refused with -EMSGSIZE (broadcast: copies skipped for a smaller MTU). */
  readonly tooBig: number;
  /** Frames a device's ring refused at transmit (-ENOBUFS): full, or beyond `acceptAtMost`. */
  readonly noBufs: number;
  /** Frames failed at transmit by an `error` fault (-EIO). */
  readonly txErrors: number;
  /** Flushes that transmitted at least one bulk of this table. */
  readonly flushes: number;
  /** Bulks transmitted (one sink call each, up to 16 frames). */
  readonly bulks: number;
  /** Average frames per bulk. */
  readonly bulkAverage: number;
}

/** A live table, as `RedirectTable.list()` reports it. */
export interface TableInfo {
  /** What `RedirectTable.open(id)` takes. */
  readonly id: number;
  /** `'array'` (RedirectTable) or `'hash'` (RedirectHashTable). */
  readonly kind: 'array' | 'hash';
  readonly maxEntries: number;
  /** Id of the table's namespace (`Namespace.open(namespaceId)`). */
  readonly namespaceId: number;
}

/** One transmitted bulk (the kernel's `xdp_devmap_xmit` tracepoint). */
export interface TraceEvent {
  readonly tableId: number;
  /** The excluded ingress of a broadcast, else 0. */
  readonly fromIfindex: number;
  readonly toIfindex: number;
  /** Frames accepted into the device's ring. */
  readonly sent: number;
  /** Frames refused (ring full, or beyond a fault's acceptAtMost). */
  readonly drops: number;
  /** Frames failed by an error fault. */
  readonly errors: number;
}

/** What `expire` did. */
export interface ExpireResult {
  /** Entries deleted. */
  readonly deleted: number;
  /** Idle entries kept because they were refreshed or replaced after the snapshot. */
  readonly busy: number;
}

export interface BroadcastOptions {
  /** Skip entries pointing at this ifindex (the ingress: `BPF_F_EXCLUDE_INGRESS`). */
  excludeIfindex?: number;
}

// memoryUsage() (lib/memory-usage.ts)

/** Bytes of native memory the package holds right now, by kind (object and array sizes as
 * requested from the allocator: the allocator's own overhead is not included). Process-wide:
 * the same figures from every thread. */
export interface MemoryUsage {
  /** table objects with their slot (array) or bucket (hash) arrays */
  readonly tables: number;
  /** table entries, including replaced and deleted ones still waiting for a grace period */
  readonly entries: number;
  /** devices' descriptor rings: `ringSize` × 8 bytes per producer lane (one at creation, one
   * more for each further thread that transmits to the device, up to 8); rings live as long as
   * their device object, that is until the device is unregistered and no `Device` handle refers
   * to it */
  readonly rings: number;
  /** device objects */
  readonly devices: number;
  /** namespace objects */
  readonly namespaces: number;
  /** per-thread datapath state of every thread that has redirected frames and not yet exited */
  readonly threads: number;
  /** the sum of the above */
  readonly total: number;
}
// Verdicts (lib/verdict.ts builds `Verdict` from the addon's values and checks them against these)

/** The verdicts by errno name, as addon/core/verdict.hpp defines them: what TypeScript is told
 * (lib/verdict.ts checks at load that the addon has exactly these). */
export const DECLARED_VERDICTS = { OK: 0, ENOENT: -2, EIO: -5, ENETDOWN: -100, EMSGSIZE: -90, ENOBUFS: -105 } as const;

/** The verdicts by errno name: the shape of `Verdict`. */
export type VerdictValues = typeof DECLARED_VERDICTS;

/** One of the `Verdict` values. */
export type VerdictValue = VerdictValues[keyof VerdictValues];

/** The verdicts known when a frame is queued, all `redirectOne` returns: a ring's refusal
 * (`ENOBUFS`, `EIO`) comes at transmit and is counted in `stats()` instead. */
export type EnqueueVerdict = VerdictValues['OK' | 'ENOENT' | 'ENETDOWN' | 'EMSGSIZE'];

/** An `Int32Array` whose elements read as `Verdict`s (`SubmitQueue.verdicts`). */
export type VerdictArray = Int32Array & { [index: number]: VerdictValue };
