// Our tables: the array table and the hash table, opened by id in every thread; devices live
// in the root namespace (and in namespaces the churner creates and destroys). The main thread
// drains the devices' rings while the phase runs.
import { Device, Namespace, RedirectError, RedirectHashTable, RedirectTable } from '../../lib';
import { CONTROL, PhaseShared } from '../harness/shared-state';
import type { ClientContext, HostSummary, ImplHost, TableClient } from './types';

const RING_SIZE = 1 << 14;

interface OursDescriptor {
  tableId: number;
  phase: number;
}

export function oursHost(kind: 'array' | 'hash', keys: number, phase: number, shared: PhaseShared): ImplHost {
  const table = kind === 'array' ? new RedirectTable({ maxEntries: keys }) : new RedirectHashTable({ maxEntries: keys });
  const devices: Device[] = [];
  const opened = new Set<number>();
  const ids = new Uint32Array(4096);
  let received = 0;
  const drain = (): void => {
    for (let n = opened.size; n < Atomics.load(shared.control, CONTROL.createdCount); n += 1) {
      const id = shared.created[n];
      opened.add(id);
      const dev = Namespace.root.device(id);
      if (dev !== undefined) devices.push(dev); // else: already gone; the churner drained it
    }
    for (const dev of devices) for (let got = dev.receive(ids); got > 0; got = dev.receive(ids)) received += got;
  };
  return {
    descriptorFor: () => ({ descriptor: { tableId: table.id, phase } satisfies OursDescriptor, transferList: [] }),
    tick: drain,
    async finish(): Promise<HostSummary> {
      drain();
      await table.close();
      let after = 0;
      for (const dev of devices) {
        const s = dev.stats();
        const atRelease = shared.handedAtRelease[dev.ifindex - shared.control[CONTROL.deviceBase]];
        if (atRelease >= 0) after += s.txFrames + s.drops + s.errors - atRelease;
      }
      return { framesReceived: received, framesAfterUnregister: after };
    },
  };
}

export function oursClient(descriptor: unknown, context: ClientContext): TableClient {
  const { tableId, phase } = descriptor as OursDescriptor;
  const table = RedirectTable.open(tableId);
  const devices = new Map<number, Device>();
  let serial = 0;
  const name = (prefix: string): string => `${prefix}${phase}-${context.participant}-${serial++}`;
  const { get: rawGet, set: rawSet } = table;
  const drainIds = new Uint32Array(4096);
  return {
    get: (key) => rawGet(key) ?? 0,
    redirect: table.redirect,
    set(key, device) {
      try {
        rawSet(key, device);
        return true;
      } catch (error) {
        if (error instanceof RedirectError && error.code === 'ENODEV') return false;
        throw error;
      }
    },
    delete: table.delete,
    compareAndDelete(key) {
      const entry = table.entry(key);
      if (entry === undefined) return false;
      try {
        return table.compareAndDelete(key, entry.revision);
      } catch (error) {
        if (error instanceof RedirectError && (error.code === 'EBUSY' || error.code === 'ENOENT')) return false;
        throw error;
      }
    },
    createDevice() {
      const dev = Namespace.root.createDevice(name('bd'), { ringSize: RING_SIZE });
      devices.set(dev.ifindex, dev);
      return dev.ifindex;
    },
    unregister: (device) => devices.get(device)!.unregister(),
    createDeviceInNewNamespace() {
      const ns = new Namespace(name('bns'));
      const [rootEnd] = Device.createVethPair(
        { namespace: Namespace.root, name: name('bv'), ringSize: RING_SIZE },
        { namespace: ns, name: 'peer' }
      );
      devices.set(rootEnd.ifindex, rootEnd);
      return { device: rootEnd.ifindex, destroy: () => ns.destroy() };
    },
    afterRelease(device) {
      const dev = devices.get(device)!;
      let drained = 0;
      for (let got = dev.receive(drainIds); got > 0; got = dev.receive(drainIds)) drained += got;
      const s = dev.stats();
      devices.delete(device);
      return { handed: s.txFrames + s.drops + s.errors, dropped: s.drops + s.errors, drained };
    },
    framesToUnregistered: () => 0,
    poll() {},
    close: () => table.close(),
  };
}
