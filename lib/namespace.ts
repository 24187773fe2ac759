import { inspectCustom } from './inspect-custom';
import { cloneGuard, notCloneableError } from './clone-guard';
import './hooks';
import { configOf, Device, DeviceOptions, setNamespaceWrapper, wrapDevice } from './device';
import { invalidArgType } from './errors';
import { native, NativeNamespace } from './native';

/** Lifecycle of a namespace. */
export type NamespaceState = 'alive' | 'destroying' | 'destroyed';

// One Namespace object per native namespace per thread, so `===` works between lookups.
const byId = new Map<number, WeakRef<Namespace>>();
const forget = new FinalizationRegistry<number>((id) => {
  if (byId.get(id)?.deref() === undefined) byId.delete(id);
});
const handles = new WeakMap<Namespace, NativeNamespace>();
let adopting: NativeNamespace | undefined; // handed from wrapNamespace() to the constructor
let root: Namespace | undefined;
const guard = cloneGuard(() =>
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
    guard(this);
    handles.set(this, handle);
    byId.set(this.id, new WeakRef(this));
    forget.register(this, this.id);
  }

  /** The root namespace. */
  static get root(): Namespace {
    root ??= Namespace.open(1);
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

setNamespaceWrapper(wrapNamespace, namespaceHandle);
