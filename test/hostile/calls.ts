// Every public call of the package, as a loop body a worker can run until it is terminated (or
// the process exits). Shared by the termination, exit and reload stress tests.
import { Device, Namespace, RedirectHashTable, RedirectTable } from '../../lib';

/** What the main thread created for the workers to call into (ids only: handles cannot travel). */
export interface CallTargets {
  arrayId: number;
  hashId: number;
  namespaceId: number;
  /** A plain device in the root namespace that stays registered (entries point at it). */
  deviceIfindex: number;
  /** A veth end whose peer lives in `namespaceId`, and an ipvlan upper on the device. */
  vethIfindex: number;
  upperIfindex: number;
}

/** Handles a worker opens once, from the ids. */
export interface CallContext {
  array: RedirectTable;
  hash: RedirectHashTable;
  ns: Namespace;
  device: Device;
  veth: Device;
  upper: Device;
  /** Unique names in this worker (namespaces and devices are process-wide). */
  name(): string;
  /** Batch inputs sized to the tables. */
  keys: Uint32Array;
  ids: Uint32Array;
  lengths: Uint32Array;
  ifindexes: Int32Array;
  out: Int32Array;
  revisions: Float64Array;
}

export function openContext(targets: CallTargets, tag: string): CallContext {
  const ns = Namespace.open(targets.namespaceId);
  const device = Namespace.root.device(targets.deviceIfindex);
  const veth = Namespace.root.device(targets.vethIfindex);
  const upper = Namespace.root.device(targets.upperIfindex);
  if (!device || !veth || !upper) throw new Error('call targets are gone');
  const array = RedirectTable.open(targets.arrayId);
  const hash = RedirectTable.open(targets.hashId) as RedirectHashTable;
  let serial = 0;
  const n = 64;
  return {
    array,
    hash,
    ns,
    device,
    veth,
    upper,
    name: () => `${tag}${(serial += 1).toString(36)}`.slice(-15),
    keys: Uint32Array.from({ length: n }, (_, i) => i % 8),
    ids: Uint32Array.from({ length: n }, (_, i) => i),
    lengths: new Uint32Array(n).fill(64),
    ifindexes: new Int32Array(n).fill(device.ifindex),
    out: new Int32Array(n),
    revisions: new Float64Array(n).fill(1),
  };
}

type Call = (c: CallContext) => unknown;

function tableCalls(pick: (c: CallContext) => RedirectTable): Record<string, Call> {
  return {
    get: (c) => pick(c).get(1),
    set: (c) => pick(c).set(2, c.device.ifindex),
    delete: (c) => pick(c).delete(3),
    entry: (c) => pick(c).entry(1),
    keys: (c) => pick(c).keys(),
    getBatch: (c) => pick(c).getBatch(c.keys, c.out),
    setBatch: (c) => pick(c).setBatch(c.keys.subarray(0, 8), c.ifindexes.subarray(0, 8)),
    deleteBatch: (c) => pick(c).deleteBatch(c.keys.subarray(5, 6)),
    redirect: (c) => pick(c).redirect(c.keys, c.ids, c.lengths, c.out),
    redirectOne: (c) => pick(c).redirectOne(1, 7, 64),
    submitQueue: (c) => {
      const queue = pick(c).submitQueue({ capacity: 8 });
      queue.keys.set(c.keys.subarray(0, 8));
      queue.ids.set(c.ids.subarray(0, 8));
      queue.lengths.set(c.lengths.subarray(0, 8));
      return queue.submit(8);
    },
    flush: (c) => pick(c).flush(),
    broadcast: (c) => pick(c).broadcast(c.ids.subarray(0, 4), c.lengths.subarray(0, 4)),
    stats: (c) => pick(c).stats(),
    compareAndDelete: (c) => {
      try {
        pick(c).compareAndDelete(4, pick(c).set(4, c.device.ifindex));
      } catch {
        // ENODEV/EBUSY under the other workers' churn is fine
      }
    },
    compareAndSet: (c) => {
      try {
        pick(c).compareAndSet(1, c.device.ifindex, pick(c).entry(1)?.revision ?? 0);
      } catch {
        // EBUSY / ENOENT races are fine
      }
    },
    snapshot: (c) => pick(c).snapshot(),
    compareAndDeleteBatch: (c) => pick(c).compareAndDeleteBatch(c.keys.subarray(6, 8), c.revisions.subarray(0, 2)),
    expire: (c) => pick(c).expire({ idleMs: 1e9 }),
    setTrace: (c) => {
      pick(c).setTrace(() => {});
      pick(c).redirect(c.keys, c.ids, c.lengths);
      pick(c).setTrace(null);
    },
    closed: (c) => pick(c).closed,
    openClose: (c) => RedirectTable.open(pick(c).id).close(),
  };
}

/** Every call, by a name that says which. */
export const CALLS: Record<string, Call> = {
  ...prefixed('array.', tableCalls((c) => c.array)),
  ...prefixed('hash.', tableCalls((c) => c.hash)),
  'RedirectTable.clock': () => RedirectTable.clock(),
  'new RedirectTable+close': () => new RedirectTable({ maxEntries: 64 }).close(),
  'new RedirectHashTable+close': () => new RedirectHashTable({ maxEntries: 64 }).close(),
  'Namespace.root': () => Namespace.root,
  'Namespace.open(id)': (c) => Namespace.open(c.ns.id),
  'Namespace.open(name)': (c) => Namespace.open(c.ns.name),
  'Namespace.list': () => Namespace.list(),
  'ns.state': (c) => c.ns.state,
  'ns.device': (c) => c.ns.device(1),
  'ns.devices': (c) => c.ns.devices(),
  'ns.createDevice+unregister': (c) => c.ns.createDevice(c.name()).unregister(),
  'ns.createTunnel+unregister': (c) => c.ns.createTunnel(c.name(), { backend: Namespace.root }).unregister(),
  'new Namespace+destroy': (c) => new Namespace(c.name()).destroy(),
  'ns.toString': (c) => String(c.ns),
  'device.getters': (c) => [c.device.ifindex, c.device.name, c.device.mtu, c.device.isUp, c.device.state],
  'device.usageCount': (c) => c.device.usageCount,
  'device.kind': (c) => c.device.kind,
  'device.peer': (c) => c.veth.peer,
  'device.lower': (c) => c.upper.lower,
  'device.backend': (c) => c.veth.backend,
  'device.namespace': (c) => c.device.namespace,
  'device.up+down': (c) => {
    c.veth.down();
    c.veth.up();
  },
  'device.setMtu': (c) => c.veth.setMtu(1500),
  'device.receive': (c) => c.device.receive(c.ids, c.lengths),
  'device.stats': (c) => c.device.stats(),
  'device.setTransmitFault': (c) => c.veth.setTransmitFault(null),
  'device.toString': (c) => String(c.device),
  'device.inspect': (c) => require('node:util').inspect(c.device),
  'Device.createVethPair+unregister': (c) => {
    const [a, b] = Device.createVethPair({ name: c.name(), namespace: Namespace.root }, { name: c.name(), namespace: c.ns });
    return Promise.all([a.unregister(), b.unregister()]);
  },
  'device.createUpper+unregister': (c) => c.device.createUpper('macvlan', { name: c.name() }).unregister(),
  'device.moveTo': (c) => {
    const d = c.ns.createDevice(c.name());
    d.moveTo(Namespace.root);
    return d.unregister();
  },
};

function prefixed(prefix: string, calls: Record<string, Call>): Record<string, Call> {
  return Object.fromEntries(Object.entries(calls).map(([name, call]) => [prefix + name, call]));
}
