import { inspectCustom } from './inspect-custom';
import { cloneGuard, notCloneableError } from './clone-guard';
import './hooks';
import { invalidArgType, outOfRange } from './errors';
import { native, NativeDevice, NativeNamespace } from './native';
import type { Namespace } from './namespace';

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

/** Where and how to create one device of a kind: its namespace, name and options. */
export interface DevicePlacement extends DeviceOptions {
  namespace: Namespace;
  name: string;
}

/** @internal The native (mtu, up, ringSize, netnsLocal) of options, with their defaults. */
export function configOf(options: DeviceOptions): [number, boolean, number, boolean] {
  if (typeof options !== 'object' || options === null) {
    throw invalidArgType('The "options" argument must be of type object');
  }
  const { mtu = 1500, up = true, ringSize = 4096, netnsLocal = false } = options;
  return [mtu, up, ringSize, netnsLocal];
}

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

const INTERNAL = Symbol('Device.internal');

// A Promise settled when frames wait in the ring or the device is released.
function readableOf(handle: NativeDevice): Promise<void> {
  return native.deviceReadable(handle) ?? Promise.resolve();
}

// dev.frames(): receive what is there; when nothing is, wait for the next wake-up; end once
// the device is released and its ring is empty (no frame can arrive after its release).
async function* framesOf(handle: NativeDevice, ids: Uint32Array, lengths: Uint32Array | undefined): AsyncGenerator<number, void, undefined> {
  for (;;) {
    const n = native.deviceReceive(handle, ids, lengths);
    if (n > 0) {
      yield n;
      continue;
    }
    if (native.deviceState(handle) === 'released') {
      // Frames transmitted after the receive above and before the release are still there.
      const last = native.deviceReceive(handle, ids, lengths);
      if (last === 0) return;
      yield last;
      continue;
    }
    const wait = native.deviceReadable(handle);
    if (wait !== undefined) await wait;
  }
}

// `done` settled, the warning timer stops. An async function rather than done.finally(), so a
// replaced Promise.prototype.then (instrumentation, fake timers) cannot hold unregister() up.
async function settleThenClear(done: Promise<void>, timer: NodeJS.Timeout): Promise<void> {
  try {
    await done;
  } finally {
    clearInterval(timer);
  }
}

// Set by namespace.ts (which imports this module): a namespace handle to its object.
let namespaceOf: (handle: NativeNamespace) => Namespace = () => {
  throw new Error('redirect-table: namespace module not loaded');
};
let handleOf: (ns: Namespace) => NativeNamespace = () => {
  throw new Error('redirect-table: namespace module not loaded');
};

/** @internal */
export function setNamespaceWrapper(
  wrap: (handle: NativeNamespace) => Namespace,
  unwrap: (ns: Namespace) => NativeNamespace
): void {
  namespaceOf = wrap;
  handleOf = unwrap;
}

const guard = cloneGuard(() =>
  notCloneableError(
    'A Device',
    'send its namespace id and ifindex, and call Namespace.open(namespaceId).device(ifindex) in the other thread'
  )
);

// One Device object per native device per thread, so `===` works between lookups.
const bySerial = new Map<number, WeakRef<Device>>();
const forget = new FinalizationRegistry<number>((serial) => {
  const ref = bySerial.get(serial);
  if (ref !== undefined && ref.deref() === undefined) bySerial.delete(serial);
});

/** @internal Wraps a native handle, reusing this thread's object for the same device. */
export function wrapDevice(handle: NativeDevice): Device {
  const serial = native.deviceSerial(handle);
  const existing = bySerial.get(serial)?.deref();
  if (existing !== undefined) return existing;
  const device = new Device(INTERNAL, handle);
  bySerial.set(serial, new WeakRef(device));
  forget.register(device, serial);
  return device;
}

/**
 * A named destination with an ifindex, an MTU and an up/down state (the kernel's
 * `net_device`). Handles never keep a device registered: `unregister()` completes while
 * handles exist, and a handle of an unregistered device still answers its getters.
 *
 * A handle belongs to its thread: `postMessage` / `workerData` of a Device throws a
 * `DataCloneError` (code `ERR_REDIRECT_TABLE_NOT_CLONEABLE`); another thread finds the device
 * with `Namespace.open(namespaceId).device(ifindex)`.
 */
export class Device {
  /**
   * While an `unregister()` waits longer than this for the device's references to drop, a
   * process warning names the device and its usage count, every period until it completes
   * (like the kernel's "unregister_netdevice: waiting for ... to become free"). Default 10 s.
   */
  static unregisterWarningMs = 10_000;

  readonly #handle: NativeDevice;
  #unregistering: Promise<void> | undefined;

  /** @internal Devices come from `Namespace.createDevice()` / `device()` / `devices()`. */
  constructor(token: typeof INTERNAL, handle: NativeDevice) {
    if (token !== INTERNAL) throw invalidArgType('Device objects come from Namespace.createDevice()');
    this.#handle = handle;
    guard(this);
  }

  /** Interface index, unique in its namespace while the device is registered. */
  get ifindex(): number {
    return native.deviceIfindex(this.#handle);
  }

  /** Name, unique in its namespace while the device is registered. */
  get name(): string {
    return native.deviceName(this.#handle);
  }

  /** Maximum frame length accepted by the device. */
  get mtu(): number {
    return native.deviceMtu(this.#handle);
  }

  /** Whether the device is up. */
  get isUp(): boolean {
    return native.deviceIsUp(this.#handle);
  }

  /** Registration state: registered, unregistering, unregistered, released. */
  get state(): DeviceState {
    return native.deviceState(this.#handle) as DeviceState;
  }

  /**
   * References held on the device by table entries, plus 1 for its registration while it is
   * registered (the kernel's usage count); 0 once released.
   */
  get usageCount(): number {
    return native.deviceUsage(this.#handle);
  }

  /** What kind of device this is. */
  get kind(): DeviceKind {
    return native.deviceKind(this.#handle) as DeviceKind;
  }

  /** The other end of a veth pair, until either end starts unregistering. */
  get peer(): Device | undefined {
    const handle = native.devicePeer(this.#handle);
    return handle === undefined ? undefined : wrapDevice(handle);
  }

  /** The device an upper (ipvlan/macvlan) is stacked on. */
  get lower(): Device | undefined {
    const handle = native.deviceLower(this.#handle);
    return handle === undefined ? undefined : wrapDevice(handle);
  }

  /** A tunnel's backend namespace. */
  get backend(): Namespace | undefined {
    const handle = native.deviceBackend(this.#handle);
    return handle === undefined ? undefined : namespaceOf(handle);
  }

  /**
   * Creates a veth pair: two devices, one in each placement (each with its own options), that
   * go together: unregistering
   * either end (or destroying its namespace) unregisters both, and `unregister()` resolves when
   * both are released.
   * @throws RedirectError EEXIST, EINVAL, ENOENT as for `createDevice` (nothing is created)
   */
  static createVethPair(a: DevicePlacement, b: DevicePlacement): [Device, Device] {
    for (const end of [a, b]) {
      if (typeof end !== 'object' || end === null) throw invalidArgType('The veth ends must be objects');
    }
    const [x, y] = native.createVethPair(
      handleOf(a.namespace),
      a.name,
      ...configOf(a),
      handleOf(b.namespace),
      b.name,
      ...configOf(b)
    );
    return [wrapDevice(x), wrapDevice(y)];
  }

  /**
   * Creates an upper device stacked on this one (an ipvlan/macvlan-like device) in
   * `placement.namespace` (default: this device's namespace). The upper holds a reference on
   * this device: unregistering this device unregisters every upper, in whatever namespace, and
   * completes only after they are gone.
   * @throws RedirectError ENODEV (this device is unregistering), EEXIST, EINVAL, ENOENT;
   *   RangeError for another kind
   */
  createUpper(kind: 'ipvlan' | 'macvlan', placement: Omit<DevicePlacement, 'namespace'> & { namespace?: Namespace }): Device {
    if (typeof placement !== 'object' || placement === null) {
      throw invalidArgType('The "placement" argument must be of type object');
    }
    const ns = placement.namespace ?? this.namespace;
    return wrapDevice(native.createUpper(this.#handle, kind, handleOf(ns), placement.name, ...configOf(placement)));
  }

  /** The namespace the device belongs to. */
  get namespace(): Namespace {
    return namespaceOf(native.deviceNamespace(this.#handle));
  }

  /** Brings the device up. @throws RedirectError ENODEV once unregistration started */
  up(): void {
    native.deviceSetUp(this.#handle, true);
  }

  /** Brings the device down. @throws RedirectError ENODEV once unregistration started */
  down(): void {
    native.deviceSetUp(this.#handle, false);
  }

  /**
   * Changes the MTU. @throws RangeError outside [68, 65535]
   * @throws RedirectError ENODEV once unregistration started
   */
  setMtu(mtu: number): void {
    native.deviceSetMtu(this.#handle, mtu);
  }

  /**
   * Moves the device to `namespace` (optionally renamed), at once: it is registered in the target
   * with the same ifindex if that is free there, a new one otherwise. The table entries resolved
   * before the move (as the kernel does on a move) are purged off the calling thread; the
   * returned Promise resolves once they are gone from every table. Moving to its own namespace
   * does nothing (ENODEV if the device is unregistering).
   * @throws RedirectError EINVAL (netns-local device, invalid name), EEXIST (name taken in the
   *   target), ENODEV (unregistering, or its namespace is being destroyed), ENOENT (the target
   *   is being destroyed), thrown at once; TypeError
   */
  moveTo(namespace: Namespace, options: MoveOptions = {}): Promise<void> {
    if (typeof options !== 'object' || options === null) {
      throw invalidArgType('The "options" argument must be of type object');
    }
    return native.deviceMoveTo(this.#handle, handleOf(namespace), options.name);
  }

  /**
   * Copies frames out of the device's transmit ring, oldest first: `ids[i]` (and `lengths[i]`
   * when given) for up to `ids.length` frames (and `lengths.length`). Returns how many were
   * copied. Works in every state, so frames queued before unregistration can still be read.
   * Several threads may receive from one device; they are serialised.
   */
  receive(ids: Uint32Array, lengths?: Uint32Array): number {
    return native.deviceReceive(this.#handle, ids, lengths);
  }

  /**
   * Resolves when frames are waiting in the ring (at once if they already are), or when the
   * device is released (unregistration finished), so a consumer notices the end. Usable from
   * any thread that has a handle of the device. No polling: a producer that puts frames into
   * the empty ring of a device someone waits on wakes every waiter once (`stats().wakeups`).
   * A pending `readable()` keeps the event loop alive, like a socket read.
   */
  readable(): Promise<void> {
    return readableOf(this.#handle);
  }

  /**
   * Receives without polling: each step waits (as `readable()`) until frames are waiting, copies
   * up to `ids.length` (and `lengths.length`) of them into `ids` / `lengths` as `receive()`
   * does and yields how many (always > 0). Ends once the device is released and its ring is
   * empty. The arrays are reused by every step: read them before the next one.
   * @throws what `receive()` throws for bad arguments; RangeError (`ERR_OUT_OF_RANGE`) when the
   *   arrays have no room for a frame
   */
  frames(ids: Uint32Array, lengths?: Uint32Array): AsyncIterableIterator<number> {
    if (native.deviceReceiveCapacity(this.#handle, ids, lengths) === 0) {
      throw outOfRange('The "ids" (and "lengths") arguments must have room for at least one frame');
    }
    return framesOf(this.#handle, ids, lengths);
  }

  /** Transmit counters, summed over every thread. Works in every state. */
  stats(): DeviceStats {
    return native.deviceStats(this.#handle);
  }

  /**
   * Makes the following transmits fail (`{ error: true }`) or accept only part of each bulk
   * (`{ acceptAtMost: n }`), until called with `null`.
   */
  setTransmitFault(fault: TransmitFault | null): void {
    if (fault === null) {
      native.deviceSetTransmitFault(this.#handle, false, undefined);
      return;
    }
    if (typeof fault !== 'object') throw invalidArgType('The "fault" argument must be an object or null');
    native.deviceSetTransmitFault(this.#handle, fault.error ?? false, fault.acceptAtMost);
  }

  /**
   * Unregisters the device: it leaves its namespace at once (its ifindex and name can no
   * longer be set in a table: `ENODEV`), every table entry that references it is purged, and
   * the Promise resolves once no reader can still be using it (its usage is back to base,
   * after grace periods). Calling it again returns the same Promise.
   */
  unregister(): Promise<void> {
    if (this.#unregistering === undefined) {
      const done = native.deviceUnregister(this.#handle);
      const name = this.name;
      const period = Device.unregisterWarningMs;
      const timer = setInterval(() => {
        const usage = native.deviceUsage(this.#handle);
        if (usage === 0) return; // freed; the Promise settles on this thread's next turn
        process.emitWarning(`unregister: waiting for ${name} to become free. Usage count = ${usage}`, 'RedirectTableWarning');
      }, period);
      timer.unref(); // the pending Promise keeps the process alive, not the warning
      this.#unregistering = settleThenClear(done, timer);
    }
    return this.#unregistering;
  }

  toString(): string {
    return `Device(${this.ifindex}, ${this.name})`;
  }

  /** What `JSON.stringify` writes: what another thread needs to find the device again. */
  toJSON(): { ifindex: number; name: string; namespaceId: number } {
    return { ifindex: this.ifindex, name: this.name, namespaceId: this.namespace.id };
  }

  [inspectCustom](): string {
    const info = native.deviceInfo(this.#handle);
    return `Device { ifindex: ${info.ifindex}, name: '${info.name}', kind: '${this.kind}', mtu: ${info.mtu}, up: ${info.up}, state: '${info.state}' }`;
  }
}
