import { Device, DeviceOptions, setNamespaceLookup, wrapDevice } from './device';
import { invalidArgType } from './errors';
import { native } from './native';

const INTERNAL = Symbol('Namespace.internal');
const ROOT_ID = 1;
let root: Namespace | undefined;

/**
 * An isolated set of devices with its own ifindex space (the kernel's network namespace).
 * `Namespace.root` always exists; every thread sees the same namespaces.
 */
export class Namespace {
  /** Process-unique id (the root namespace is 1). */
  readonly id: number;
  /** The namespace's name (`'root'` for the root namespace). */
  readonly name: string;

  /** @internal */
  constructor(token: typeof INTERNAL, id: number) {
    if (token !== INTERNAL) throw invalidArgType('Namespace objects come from Namespace.root');
    const info = native.namespaceInfo(id);
    this.id = info.id;
    this.name = info.name;
  }

  /** The root namespace. */
  static get root(): Namespace {
    root ??= new Namespace(INTERNAL, ROOT_ID);
    return root;
  }

  /** @internal The namespace with `id` (this thread's object for it). */
  static byId(id: number): Namespace {
    if (id === ROOT_ID) return Namespace.root;
    return new Namespace(INTERNAL, id);
  }

  /**
   * Creates and registers a device with the next free ifindex (1, 2, 3, ...).
   * @throws RedirectError EINVAL (invalid name), EEXIST (name taken in this namespace)
   * @throws TypeError / RangeError for a non-string name, an MTU outside [68, 65535] or a ring
   *   size that is not a power of two up to 2^24
   */
  createDevice(name: string, options: DeviceOptions = {}): Device {
    if (typeof options !== 'object' || options === null) {
      throw invalidArgType('The "options" argument must be of type object');
    }
    const { mtu = 1500, up = true, ringSize = 4096 } = options;
    return wrapDevice(native.createDevice(this.id, name, mtu, up, ringSize));
  }

  /** The registered device with this ifindex or name, or `undefined`. */
  device(ifindexOrName: number | string): Device | undefined {
    const handle = native.findDevice(this.id, ifindexOrName);
    return handle === undefined ? undefined : wrapDevice(handle);
  }

  /** Every registered device, by ascending ifindex. */
  devices(): Device[] {
    return native.listDevices(this.id).map(wrapDevice);
  }

  toString(): string {
    return `Namespace(${this.id}, ${this.name})`;
  }
}

setNamespaceLookup((id) => Namespace.byId(id));
