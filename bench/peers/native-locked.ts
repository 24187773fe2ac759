// Peers 3 and 4: the same slots in native memory behind one std::shared_mutex (readers share
// it) or one std::mutex, from the bench-only addon (bench/peers/native), transmitting into the same
// rings as ours (drained by the main thread). The lock makes them correct; the comparison
// shows what it costs.
import { CONTROL, DEVICE, PhaseShared } from '../harness/shared-state';
import { loadPeers } from './native-addon';
import type { ClientContext, HostSummary, ImplHost, TableClient } from './types';

interface LockedDescriptor {
  tableId: number;
}

export function lockedHost(kind: 'shared_mutex' | 'mutex', keys: number, shared: PhaseShared): ImplHost {
  const tableId = loadPeers().createLockedTable(kind, keys);
  const ids = new Uint32Array(4096);
  let received = 0;
  let active: number[] = []; // devices drained every tick
  let seen = 0;
  const drainOne = (device: number): void => {
    for (let got = loadPeers().lockedReceive(tableId, device, ids); got > 0; got = loadPeers().lockedReceive(tableId, device, ids)) received += got;
  };
  const drain = (): void => {
    for (; seen < Atomics.load(shared.control, CONTROL.createdCount); seen += 1) active.push(shared.created[seen]);
    // As for ours: a device whose unregistration resolved is drained once more, then dropped.
    active = active.filter((device) => {
      const released = Atomics.load(shared.deviceState, device - shared.control[CONTROL.deviceBase]) === DEVICE.unregistered;
      drainOne(device);
      return !released;
    });
  };
  return {
    descriptorFor: () => ({ descriptor: { tableId } satisfies LockedDescriptor, transferList: [] }),
    tick: drain,
    async finish(): Promise<HostSummary> {
      drain();
      for (let n = 0; n < seen; n += 1) drainOne(shared.created[n]);
      const stats = loadPeers().lockedStats(tableId);
      loadPeers().destroyLockedTable(tableId);
      if (stats.frames !== received) throw new Error(`bench: ${kind} table transmitted ${stats.frames} frames, ${received} drained`);
      return { framesReceived: received, framesDropped: stats.drops, framesAfterUnregister: stats.framesToDeadDevices };
    },
  };
}

export function lockedClient(descriptor: unknown, _context: ClientContext): TableClient {
  const { tableId: id } = descriptor as LockedDescriptor;
  const { lockedGet, lockedRedirect, lockedSet, lockedDelete, lockedCompareAndDelete } = loadPeers();
  return {
    get: (key) => lockedGet(id, key),
    redirect: (keys, ids, lengths) => lockedRedirect(id, keys, ids, lengths),
    set: (key, device) => lockedSet(id, key, device),
    delete: (key) => lockedDelete(id, key),
    compareAndDelete(key) {
      const device = lockedGet(id, key);
      return device !== 0 && lockedCompareAndDelete(id, key, device);
    },
    createDevice: () => loadPeers().lockedCreateDevice(id),
    async unregister(device) {
      loadPeers().lockedUnregister(id, device);
    },
    framesToUnregistered: () => 0,
    poll() {},
    async close() {},
  };
}
