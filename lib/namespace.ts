// Namespaces and their devices: Namespace and Device, in one module because each is built from
// the other's methods (a namespace creates and finds devices, a device names its namespace and
// moves between namespaces). Each class is built from a native handle by its wrap function only
// (wrapNamespace, wrapDevice; lib/redirect-table.ts: wrapTable), which keeps one object per
// native object per thread; namespaceHandle() is the way back.
import { inspectCustom } from './inspect-custom';
import { cloneGuard, notCloneableError } from './clone-guard';
import { DEFAULT_MTU, DEFAULT_RING_SIZE, ROOT_NAMESPACE_ID } from './constants';
import { invalidArgType, outOfRange } from './errors';
import { native, NativeDevice, NativeNamespace } from './native';
import type { DeviceKind, DeviceOptions, DeviceState, DeviceStats, MoveOptions, NamespaceState, TransmitFault } from './types';

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
  const { mtu = DEFAULT_MTU, up = true, ringSize = DEFAULT_RING_SIZE, netnsLocal = false } = options;
  return [mtu, up, ringSize, netnsLocal];
}

// Namespaces

// One Namespace object per native namespace per thread, so `===` works between lookups.
const byId = new Map<number, WeakRef<Namespace>>();
const forgetNamespace = new FinalizationRegistry<number>((id) => {
  if (byId.get(id)?.deref() === undefined) byId.delete(id);
});
const handles = new WeakMap<Namespace, NativeNamespace>();
let adopting: NativeNamespace | undefined; // handed from wrapNamespace() to the constructor
let root: Namespace | undefined;
const namespaceGuard = cloneGuard(() =>
  notCloneableError('A Namespace', 'send its id, and call Namespace.open(id) in the other thread')
);

/** @internal This thread's object for a native namespace handle. */
export function wrapNamespace(handle: NativeNamespace): Namespace {
  const id = native.namespaceInfo(handle).id;
  const existing = byId.get(id)?.deref();
  if (existing !== undefined) return existing;
  adopting = handle;
  return new Namespace('');
}

/** @internal The native handle of a namespace. */
export function namespaceHandle(ns: Namespace): NativeNamespace {
  const handle = handles.get(ns);
  if (handle === undefined) throw invalidArgType('The "namespace" argument must be a Namespace');
  return handle;
}

/**
 * An isolated set of devices with its own ifindex space (the kernel's network namespace).
 * `Namespace.root` always exists; every thread sees the same namespaces, and reaches one by id
 * or name with `Namespace.open()`.
 *
 * A handle belongs to its thread: `postMessage` / `workerData` of a Namespace throws a
 * `DataCloneError` (code `ERR_REDIRECT_TABLE_NOT_CLONEABLE`); send its id instead.
 */
export class Namespace {
  /** Process-unique id, never reused (the root namespace is 1). */
  readonly id: number;
  /** Unique among live namespaces (`'root'` for the root namespace). */
  readonly name: string;

  /**
   * Creates a namespace.
   * @throws RedirectError EEXIST (name taken), EINVAL (empty, longer than 64 bytes, or with '/')
   * @throws TypeError for a non-string name
   */
  constructor(name: string) {
    const handle = adopting ?? native.createNamespace(name);
    adopting = undefined;
    const info = native.namespaceInfo(handle);
    this.id = info.id;
    this.name = info.name;
    namespaceGuard(this);
    handles.set(this, handle);
    byId.set(this.id, new WeakRef(this));
    forgetNamespace.register(this, this.id);
  }

  /** The root namespace. */
  static get root(): Namespace {
    root ??= Namespace.open(ROOT_NAMESPACE_ID);
    return root;
  }

  /**
   * The live namespace with this id or name, from any thread.
   * @throws RedirectError ENOENT (none, or destroyed), TypeError / RangeError
   */
  static open(idOrName: number | string): Namespace {
    return wrapNamespace(native.openNamespace(idOrName));
  }

  /** Every live namespace, by ascending id. */
  static list(): Namespace[] {
    return native.listNamespaces().map(wrapNamespace);
  }

  /** `'alive'`, `'destroying'` (its devices are being unregistered) or `'destroyed'`. */
  get state(): NamespaceState {
    return native.namespaceInfo(namespaceHandle(this)).state as NamespaceState;
  }

  /**
   * Creates and registers a device with the next free ifindex of this namespace (1, 2, 3, ...).
   * @throws RedirectError EINVAL (invalid name), EEXIST (name taken in this namespace), ENOENT
   *   (the namespace is being destroyed)
   * @throws TypeError / RangeError for a non-string name, an MTU outside [68, 65535] or a ring
   *   size that is not a power of two up to 2^24
   */
  createDevice(name: string, options: DeviceOptions = {}): Device {
    return wrapDevice(native.createDevice(namespaceHandle(this), name, ...configOf(options)));
  }

  /**
   * Creates a tunnel device in this namespace whose backend lives in `options.backend`:
   * destroying the backend namespace unregisters the tunnel here.
   * @throws RedirectError EINVAL (backend is this namespace, invalid name), ENOENT (either
   *   namespace is being destroyed), EEXIST; TypeError
   */
  createTunnel(name: string, options: DeviceOptions & { backend: Namespace }): Device {
    if (typeof options !== 'object' || options === null) {
      throw invalidArgType('The "options" argument must be of type object');
    }
    return wrapDevice(
      native.createTunnel(namespaceHandle(this), name, namespaceHandle(options.backend), ...configOf(options))
    );
  }

  /** The registered device with this ifindex or name, or `undefined`. */
  device(ifindexOrName: number | string): Device | undefined {
    const handle = native.findDevice(namespaceHandle(this), ifindexOrName);
    return handle === undefined ? undefined : wrapDevice(handle);
  }

  /** Every registered device, by ascending ifindex. */
  devices(): Device[] {
    return native.listDevices(namespaceHandle(this)).map(wrapDevice);
  }

  /**
   * Destroys the namespace: it leaves `open()`/`list()` at once and refuses new devices, then
   * every device in it is unregistered; the Promise resolves once all of them are released.
   * Tables of the namespace stay usable (their `set` finds no device). Calling it again
   * returns the same Promise.
   * @throws RedirectError EINVAL for the root namespace
   */
  destroy(): Promise<void> {
    let pending = destroying.get(this);
    if (pending === undefined) {
      pending = native.destroyNamespace(namespaceHandle(this));
      destroying.set(this, pending);
    }
    return pending;
  }

  toString(): string {
    return `Namespace(${this.id}, ${this.name})`;
  }

  /** What `JSON.stringify` writes: the id and name that `Namespace.open()` takes. */
  toJSON(): { id: number; name: string } {
    return { id: this.id, name: this.name };
  }

  [inspectCustom](): string {
    return `Namespace { id: ${this.id}, name: '${this.name}' }`;
  }
}

const destroying = new WeakMap<Namespace, Promise<void>>();

// Devices

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

const deviceGuard = cloneGuard(() =>
  notCloneableError(
    'A Device',
    'send its namespace id and ifindex, and call Namespace.open(namespaceId).device(ifindex) in the other thread'
  )
);

// One Device object per native device per thread, so `===` works between lookups.
const bySerial = new Map<number, WeakRef<Device>>();
const forgetDevice = new FinalizationRegistry<number>((serial) => {
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
  forgetDevice.register(device, serial);
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
    deviceGuard(this);
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
    return handle === undefined ? undefined : wrapNamespace(handle);
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
      namespaceHandle(a.namespace),
      a.name,
      ...configOf(a),
      namespaceHandle(b.namespace),
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
    return wrapDevice(native.createUpper(this.#handle, kind, namespaceHandle(ns), placement.name, ...configOf(placement)));
  }

  /** The namespace the device belongs to. */
  get namespace(): Namespace {
    return wrapNamespace(native.deviceNamespace(this.#handle));
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
    return native.deviceMoveTo(this.#handle, namespaceHandle(namespace), options.name);
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
