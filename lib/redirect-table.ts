import { inspectCustom } from './inspect-custom';
import { invalidArgType, RedirectError } from './errors';
import { Namespace, namespaceHandle, wrapNamespace } from './namespace';
import { cloneGuard, notCloneableError } from './clone-guard';
import { withAutoFlush } from './auto-flush';
import { native, NativeTableHandle } from './native';
import { SlotReads, slotReads } from './slot-reads';
import { SubmitQueue, submitCapacity, SubmitQueueOptions } from './submit-queue';
import { setTraceListener } from './trace';
import type { BroadcastOptions, EnqueueVerdict, ExpireResult, TableEntry, TableInfo, TableSnapshot, TableStats, TraceEvent } from './types';

// Handed from wrapTable() to the constructor, so it adopts the handle without a second public
// signature (as wrapNamespace() hands one to Namespace's).
let openedHandle: NativeTableHandle | undefined;

/** @internal A new table object (RedirectHashTable for a hash table) around a native handle. */
export function wrapTable(handle: NativeTableHandle): RedirectTable {
  openedHandle = handle;
  const options = { maxEntries: handle.maxEntries };
  return handle.kind === 'hash' ? new RedirectHashTable(options) : new RedirectTable(options);
}

export interface RedirectTableOptions {
  /** Number of slots; keys are 0 .. maxEntries - 1. An integer from 1 to 2^32 - 1. */
  maxEntries: number;
  /** Namespace whose ifindexes `set` resolves (default `Namespace.root`). */
  namespace?: Namespace;
}

const guard = cloneGuard((table) =>
  notCloneableError(
    table instanceof RedirectHashTable ? 'A RedirectHashTable' : 'A RedirectTable',
    'send its id, and call RedirectTable.open(id) in the other thread (a new handle onto the same table)'
  )
);

type RowArray = Uint32Array | Int32Array | Float64Array;
type RowArrayOf<C> = C extends new (n: number) => infer A ? A : never;

/**
 * Allocates one array per row type for `count` rows taken into the handle by keys()/snapshot().
 * Allocation happens here, in JS, so that running out of memory is an ENOMEM RedirectError (the
 * handle forgets the rows) instead of a fatal error inside the engine.
 */
function takeRows<C extends (new (n: number) => RowArray)[]>(
  handle: NativeTableHandle,
  count: number,
  ...types: C
): { [K in keyof C]: RowArrayOf<C[K]> } {
  try {
    return types.map((Type) => new Type(count)) as { [K in keyof C]: RowArrayOf<C[K]> };
  } catch (error) {
    handle.takeRows();
    if (!(error instanceof RangeError)) throw error;
    throw new RedirectError('ENOMEM', `ENOMEM: cannot allocate ${count} rows of table ${handle.id}`);
  }
}

/**
 * The array redirect table (the kernel's `BPF_MAP_TYPE_DEVMAP`): `maxEntries` slots, each empty
 * or pointing at a device. Lookups never lock; updates publish atomically; entries are freed
 * after a grace period. Shared by every thread: open the same table in a worker with
 * `RedirectTable.open(table.id)`. The handle itself cannot be sent: `postMessage` /
 * `workerData` of a table throws a `DataCloneError` (code `ERR_REDIRECT_TABLE_NOT_CLONEABLE`).
 *
 * The data methods are own properties bound to the native table (no method dispatch on the
 * hot path); they may be detached (`const get = table.get`).
 */
export class RedirectTable {
  // The public fields are `declare`d: assigned by the constructor, after the clone guard.
  /** Process-unique id; `RedirectTable.open(id)` opens the same table from any thread. */
  declare readonly id: number;
  /** Number of slots. */
  declare readonly maxEntries: number;
  /** Namespace whose ifindexes `set` resolves. */
  declare readonly namespace: Namespace;

  /**
   * The ifindex in slot `key`, or `undefined` when the slot is empty.
   * @throws RedirectError E2BIG (key >= maxEntries), EBADF (closed)
   */
  declare readonly get: (key: number) => number | undefined;
  /**
   * Points slot `key` at the registered device with `ifindex`; returns the new entry's revision.
   * @throws RedirectError E2BIG (key >= maxEntries), ENODEV (no such registered device, or it
   *   started unregistering during the call), EBADF (closed)
   */
  declare readonly set: (key: number, ifindex: number) => number;
  /**
   * Empties slot `key`; `true` when it held an entry.
   * @throws RedirectError E2BIG, EBADF
   */
  declare readonly delete: (key: number) => boolean;
  /**
   * `{ ifindex, revision }` of slot `key`, or `undefined` when empty.
   * @throws RedirectError E2BIG, EBADF
   */
  declare readonly entry: (key: number) => TableEntry | undefined;
  /** Keys whose slot holds an entry, ascending. @throws RedirectError EBADF, ENOMEM */
  declare readonly keys: () => Uint32Array;
  /**
   * Looks up every key in one read-side section: `out[i]` = ifindex, or 0 for an empty slot or a
   * key >= maxEntries. `out` needs at least `keys.length` elements. Returns the number of hits.
   * @throws RedirectError EBADF
   */
  declare readonly getBatch: (keys: Uint32Array, out: Int32Array) => number;
  /**
   * Sets `keys[i]` to `ifindexes[i]` for every i (same lengths). All or nothing on error: every
   * key, device and (hash table) the room for every new key is checked first, so a call that
   * throws set nothing, also while other threads write. Against concurrent writers an array
   * table's batch is per key; a hash table's is published whole. A device that starts
   * unregistering during the call has its entries purged afterwards (not an error). Returns the
   * number of keys set.
   * @throws RedirectError E2BIG (the message names the key), ENODEV (names the index), ENOMEM,
   *   EBADF
   */
  declare readonly setBatch: (keys: Uint32Array, ifindexes: Int32Array | Uint32Array) => number;
  /**
   * Empties every slot in `keys`; returns how many held an entry. Per key against concurrent
   * writers; on E2BIG or ENOMEM nothing is deleted.
   * @throws RedirectError E2BIG, ENOMEM, EBADF
   */
  declare readonly deleteBatch: (keys: Uint32Array) => number;

  /**
   * Redirects frames `(ids[i], lengths[i])` to the devices of slots `keys[i]` (three arrays of
   * one length): each frame is checked (entry present, device up, length <= MTU), queued on this
   * thread's bulk queue for its destination (16 frames per bulk) and everything is transmitted
   * before the call returns. `verdicts[i]` (optional, at least keys.length long) receives 0
   * (delivered into the device's ring), -ENOENT / -ENETDOWN / -EMSGSIZE (refused), -ENOBUFS (the
   * ring was full, or beyond `acceptAtMost`) or -EIO (an `error` fault). Returns the number of
   * frames delivered.
   * @throws RedirectError EBADF, ENOMEM (this thread's bulk queues cannot be allocated: nothing
   *   sent); TypeError / RangeError for bad arrays
   */
  declare readonly redirect: (keys: Uint32Array, ids: Uint32Array, lengths: Uint32Array, verdicts?: Int32Array) => number;
  /**
   * Redirects one frame; returns its verdict (0 queued, -ENOENT, -ENETDOWN, -EMSGSIZE). Queued
   * frames wait in this thread's bulk queues until `flush()`, a full bulk, or the end of the
   * current JS task (an automatic flush), so a forgotten flush loses nothing; a ring's later
   * refusal is counted in `stats()` (`noBufs`, `txErrors`) and traced, not returned.
   * @throws RedirectError EBADF, ENOMEM (this thread's bulk queues cannot be allocated: not
   *   sent); TypeError / RangeError
   */
  declare readonly redirectOne: (key: number, id: number, length: number) => EnqueueVerdict;
  /** Transmits every frame this thread has queued (any table). @throws RedirectError EBADF */
  declare readonly flush: () => void;
  /**
   * Deletes slot `key` only if its entry has `revision`; atomic against every concurrent set,
   * delete, unregister purge and datapath refresh. Returns true (a mismatch throws).
   * @throws RedirectError ENOENT (no entry), EBUSY (another revision), E2BIG, EBADF
   */
  declare readonly compareAndDelete: (key: number, revision: number) => true;
  /**
   * Points slot `key` at `ifindex` only if its entry has `revision`; returns the new revision.
   * @throws RedirectError ENOENT, EBUSY, ENODEV, E2BIG, EBADF
   */
  declare readonly compareAndSet: (key: number, ifindex: number, revision: number) => number;
  /** Every entry now: keys, ifindexes, revisions, lastUsed. @throws RedirectError EBADF, ENOMEM */
  declare readonly snapshot: () => TableSnapshot;
  /**
   * For each i: deletes `keys[i]` only if it still has `revisions[i]` and, when `lastUsed` is
   * given, was not used since `lastUsed[i]` (the entry is claimed atomically first, so a refresh
   * that loses the race cannot resurrect it). `statuses[i]` gets 0, -ENOENT (-2), -EBUSY (-16)
   * or -E2BIG (-7); it never stops at a failure. Returns the number deleted.
   * @throws RedirectError EBADF; TypeError / RangeError for bad arrays
   */
  declare readonly compareAndDeleteBatch: (
    keys: Uint32Array,
    revisions: Float64Array,
    lastUsed?: Float64Array,
    statuses?: Int32Array
  ) => number;

  readonly #handle: NativeTableHandle;
  readonly #reads: SlotReads;

  /**
   * Creates a table in `options.namespace` (default root).
   * @throws TypeError / RangeError for a bad `maxEntries`, RedirectError ENOMEM when the slots
   *   cannot be allocated, ENOENT when the namespace is being destroyed
   */
  constructor(options: RedirectTableOptions) {
    if (typeof options !== 'object' || options === null) {
      throw invalidArgType('The "options" argument must be of type object');
    }
    const namespace = options.namespace ?? Namespace.root;
    if (!(namespace instanceof Namespace)) {
      throw invalidArgType('The "options.namespace" argument must be a Namespace');
    }
    const opened = openedHandle;
    openedHandle = undefined;
    // First own property, so a structured clone meets it before the functions and namespace.
    guard(this);
    const handle = opened ?? native.createTable(options.maxEntries, namespaceHandle(namespace), 'array');
    this.#handle = handle;
    this.id = handle.id;
    this.maxEntries = handle.maxEntries;
    this.namespace = opened ? wrapNamespace(handle.namespace) : namespace;
    const reads = slotReads(handle);
    this.#reads = reads;
    this.get = reads.get;
    this.set = handle.set;
    this.delete = handle.delete;
    this.entry = reads.entry;
    this.keys = () => {
      const rows = takeRows(handle, handle.keys(), Uint32Array);
      handle.takeRows(...rows);
      return rows[0];
    };
    this.getBatch = handle.getBatch;
    this.setBatch = handle.setBatch;
    this.deleteBatch = handle.deleteBatch;
    this.redirect = handle.redirect;
    this.redirectOne = withAutoFlush(handle.redirectOne);
    this.flush = handle.flush;
    this.compareAndDelete = handle.compareAndDelete;
    this.compareAndSet = handle.compareAndSet;
    this.snapshot = () => {
      const [keys, ifindexes, revisions, lastUsed] = takeRows(
        handle,
        handle.snapshot(),
        Uint32Array,
        Int32Array,
        Float64Array,
        Float64Array
      );
      handle.takeRows(keys, ifindexes, revisions, lastUsed);
      return { keys, ifindexes, revisions, lastUsed };
    };
    this.compareAndDeleteBatch = handle.compareAndDeleteBatch;
  }

  /** The coarse monotonic clock (milliseconds) that entries' `lastUsed` is stamped with. */
  static clock(): number {
    return native.coarseNow();
  }

  /**
   * A garbage collector: deletes every entry idle for at least `idleMs` (by `lastUsed`), with
   * `compareAndDeleteBatch` on a snapshot, so an entry refreshed or replaced in between is kept.
   * Returns how many were deleted and how many were busy (refreshed or replaced meanwhile).
   * @throws RedirectError EBADF; TypeError / RangeError for a bad `idleMs`
   */
  expire(options: { idleMs: number }): ExpireResult {
    if (typeof options !== 'object' || options === null || typeof options.idleMs !== 'number') {
      throw invalidArgType('The "options.idleMs" argument must be of type number');
    }
    const { idleMs } = options;
    if (!(idleMs >= 0) || !Number.isFinite(idleMs)) {
      throw Object.assign(new RangeError(`The "options.idleMs" argument must be >= 0. Received ${idleMs}`), {
        code: 'ERR_OUT_OF_RANGE',
      });
    }
    const snap = this.snapshot();
    const now = native.coarseNow();
    const idle: number[] = [];
    for (let i = 0; i < snap.keys.length; i += 1) if (now - snap.lastUsed[i] >= idleMs) idle.push(i);
    const keys = Uint32Array.from(idle, (i) => snap.keys[i]);
    const revisions = Float64Array.from(idle, (i) => snap.revisions[i]);
    const lastUsed = Float64Array.from(idle, (i) => snap.lastUsed[i]);
    const statuses = new Int32Array(idle.length);
    const deleted = this.compareAndDeleteBatch(keys, revisions, lastUsed, statuses);
    let busy = 0;
    for (const status of statuses) if (status === -16) busy += 1;
    return { deleted, busy };
  }

  /**
   * A staging area for this handle, owned by the calling thread: `keys`, `ids`, `lengths`
   * (`Uint32Array`) and `verdicts` (`Int32Array`) of `capacity` elements bound once to native
   * memory, and `submit(n)`, which redirects the first `n` staged frames like `redirect` without
   * converting any array per call. Make one per thread (and per table handle) and reuse it.
   * @throws RedirectError EBADF, ENOMEM; TypeError / RangeError for bad options
   */
  submitQueue(options?: SubmitQueueOptions): SubmitQueue {
    const capacity = submitCapacity(options);
    return new SubmitQueue(this.#handle, capacity);
  }

  /**
   * Sends every frame to the device of every entry (walking the slots, so each entry gets each
   * frame exactly once), except entries pointing at `options.excludeIfindex`, and entries whose
   * device is down or whose MTU is below the frame's length. Transmitted before returning.
   * Returns the number of copies delivered into rings (a copy a ring refuses is counted in
   * `stats().noBufs` / `txErrors`).
   * @throws RedirectError EBADF, ENOMEM (nothing sent); TypeError / RangeError
   */
  broadcast(ids: Uint32Array, lengths: Uint32Array, options: BroadcastOptions = {}): number {
    if (typeof options !== 'object' || options === null) {
      throw invalidArgType('The "options" argument must be of type object');
    }
    return this.#handle.broadcast(ids, lengths, options.excludeIfindex ?? 0);
  }

  /** Datapath counters, summed over every thread. @throws RedirectError EBADF */
  stats(): TableStats {
    return this.#handle.stats();
  }

  /**
   * Calls `listener` for every bulk of this table that the *current thread* transmits (from,
   * to, sent, drops, errors), synchronously at the end of the call that flushed it; `null`
   * stops. Off by default, and free when off. One listener per handle: setting another replaces
   * it. The listener lives as long as this handle: `close()` removes it, and a handle dropped
   * without `close()` is garbage collected together with its listener.
   *
   * A listener that throws never loses frames (they were transmitted before it ran) nor
   * events: every listener still gets every event, then the call that flushed (`redirect`,
   * `redirectOne`, `flush`, `broadcast` of any table of this thread) throws the first error.
   * The automatic end-of-task flush has no caller: there the error becomes a process warning
   * (`process.on('warning')`) named `RedirectTableWarning`, with `code`
   * `'ERR_REDIRECT_TABLE_TRACE_LISTENER'` and the listener's error as `cause`.
   * @throws TypeError when `listener` is neither a function nor null
   */
  setTrace(listener: ((event: TraceEvent) => void) | null): void {
    if (listener !== null && typeof listener !== 'function') {
      throw invalidArgType('The "listener" argument must be a function or null');
    }
    // #handle: a brand check, so a detached setTrace called on another object throws TypeError.
    setTraceListener(this, this.#handle.id, listener ?? undefined);
  }

  /**
   * A new handle onto the live table with `id`, from any thread. Each handle must be closed
   * (or garbage collected); the table is freed after its last handle goes.
   * @throws RedirectError ENOENT (no open table with that id), TypeError / RangeError
   */
  static open(id: number): RedirectTable {
    return wrapTable(native.openTable(id));
  }

  /**
   * Every live table of the process, whichever thread created it, by ascending id. A table is
   * live while at least one of its handles (in any thread) is neither closed nor garbage
   * collected; `close()` of the last handle removes it at once.
   * @throws RedirectError ENOMEM (the list cannot be allocated)
   */
  static list(): TableInfo[] {
    return native.listTables();
  }

  /** Whether `close()` was called on this handle. */
  get closed(): boolean {
    return this.#handle.closed();
  }

  /**
   * Closes this handle: every method then throws EBADF. The Promise resolves once the handle's
   * reference is dropped and, if it was the last handle, the table has been freed (after a
   * grace period). Closing again is harmless.
   */
  close(): Promise<void> {
    setTraceListener(this, this.#handle.id, undefined);
    this.#reads.close();
    return this.#handle.close();
  }

  /** What `JSON.stringify` writes: the id that `RedirectTable.open()` takes, and the size. */
  toJSON(): { id: number; maxEntries: number; namespaceId: number } {
    return { id: this.id, maxEntries: this.maxEntries, namespaceId: this.namespace.id };
  }

  [inspectCustom](): string {
    return `RedirectTable { id: ${this.id}, maxEntries: ${this.maxEntries}, closed: ${this.closed} }`;
  }
}


/**
 * The hash redirect table (the kernel's `BPF_MAP_TYPE_DEVMAP_HASH`): any u32 key, at most
 * `maxEntries` entries (`set` of a new key on a full table: `E2BIG`), in a fixed array of buckets
 * allocated at creation whose chains readers walk without locks (RCU) and writers change under the
 * table's writer lock; no resize ever slows a lookup. Same API as `RedirectTable`,
 * conditional deletes included; `open(id)` returns a `RedirectHashTable` for a hash table.
 */
export class RedirectHashTable extends RedirectTable {
  /**
   * @throws TypeError / RangeError for a bad `maxEntries`, RedirectError ENOMEM, ENOENT (the
   *   namespace is being destroyed)
   */
  constructor(options: RedirectTableOptions) {
    if (openedHandle === undefined) {
      if (typeof options !== 'object' || options === null) {
        throw invalidArgType('The "options" argument must be of type object');
      }
      const namespace = options.namespace ?? Namespace.root;
      if (!(namespace instanceof Namespace)) {
        throw invalidArgType('The "options.namespace" argument must be a Namespace');
      }
      openedHandle = native.createTable(options.maxEntries, namespaceHandle(namespace), 'hash');
      super({ maxEntries: openedHandle.maxEntries });
      return;
    }
    super(options);
  }

  override [inspectCustom](): string {
    return `RedirectHashTable { id: ${this.id}, maxEntries: ${this.maxEntries}, closed: ${this.closed} }`;
  }
}
