// Our tables: the array table and the hash table, opened by id in every thread; devices live
// in the root namespace (and in namespaces the churner creates and destroys). The main thread
// drains the devices' rings while the phase runs.
import { Device, Namespace, RedirectError, RedirectHashTable, RedirectTable } from '../../lib';
import { CONTROL, DEVICE, PhaseShared } from '../harness/shared-state';
import type { ClientContext, HostSummary, ImplHost, TableClient } from './types';

const RING_SIZE = 1 << 14;

interface OursDescriptor {
  tableId: number;
  phase: number;
}

export function oursHost(kind: 'array' | 'hash', keys: number, phase: number, shared: PhaseShared): ImplHost {
  const table = kind === 'array' ? new RedirectTable({ maxEntries: keys }) : new RedirectHashTable({ maxEntries: keys });
  const devices: Device[] = []; // every device opened, for the final sums
  let active: Device[] = []; // those still drained every tick
  let opened = 0;
  const ids = new Uint32Array(4096);
  let received = 0;
  const drainOne = (dev: Device): void => {
    for (let got = dev.receive(ids); got > 0; got = dev.receive(ids)) received += got;
  };
  const drain = (): void => {
    for (; opened < Atomics.load(shared.control, CONTROL.createdCount); opened += 1) {
      const dev = Namespace.root.device(shared.created[opened]);
      if (dev === undefined) continue; // already gone: the churner drained it
      devices.push(dev);
      active.push(dev);
    }
    // A device whose unregistration resolved gets no more frames: drained once more, then
    // dropped from the tick (draining hundreds of dead devices every millisecond took a core).
    const base = shared.control[CONTROL.deviceBase];
    active = active.filter((dev) => {
      const released = Atomics.load(shared.deviceState, dev.ifindex - base) === DEVICE.unregistered;
      drainOne(dev);
      return !released;
    });
  };
  return {
    descriptorFor: () => ({ descriptor: { tableId: table.id, phase } satisfies OursDescriptor, transferList: [] }),
    tick: drain,
    async finish(): Promise<HostSummary> {
      drain();
      devices.forEach(drainOne);
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
