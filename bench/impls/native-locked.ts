// Peers 3 and 4: the same slots in native memory behind one std::shared_mutex (readers share
// it) or one std::mutex, from the bench-only addon (bench/native), transmitting into the same
// rings as ours (drained by the main thread). The lock makes them correct; the comparison
// shows what it costs.
import { CONTROL, PhaseShared } from '../harness/shared-state';
import { peers } from '../peers-native';
import type { ClientContext, HostSummary, ImplHost, TableClient } from './types';

interface LockedDescriptor {
  tableId: number;
}

export function lockedHost(kind: 'shared_mutex' | 'mutex', keys: number, shared: PhaseShared): ImplHost {
  const tableId = peers.createLockedTable(kind, keys);
  const ids = new Uint32Array(4096);
  let received = 0;
  const drain = (): void => {
    const created = Atomics.load(shared.control, CONTROL.createdCount);
    for (let n = 0; n < created; n += 1) {
      for (let got = peers.lockedReceive(tableId, shared.created[n], ids); got > 0; got = peers.lockedReceive(tableId, shared.created[n], ids)) {
        received += got;
      }
    }
  };
  return {
    descriptorFor: () => ({ descriptor: { tableId } satisfies LockedDescriptor, transferList: [] }),
    tick: drain,
    async finish(): Promise<HostSummary> {
      drain();
      const stats = peers.lockedStats(tableId);
      peers.destroyLockedTable(tableId);
      if (stats.frames !== received) throw new Error(`bench: ${kind} table transmitted ${stats.frames} frames, ${received} drained`);
      return { framesReceived: received, framesDropped: stats.drops, framesAfterUnregister: stats.framesToDeadDevices };
    },
  };
}

export function lockedClient(descriptor: unknown, _context: ClientContext): TableClient {
  const { tableId: id } = descriptor as LockedDescriptor;
  const { lockedGet, lockedRedirect, lockedSet, lockedDelete, lockedCompareAndDelete } = peers;
  return {
    get: (key) => lockedGet(id, key),
    redirect: (keys, ids, lengths) => lockedRedirect(id, keys, ids, lengths),
    set: (key, device) => lockedSet(id, key, device),
    delete: (key) => lockedDelete(id, key),
    compareAndDelete(key) {
      const device = lockedGet(id, key);
      return device !== 0 && lockedCompareAndDelete(id, key, device);
    },
    createDevice: () => peers.lockedCreateDevice(id),
    async unregister(device) {
      peers.lockedUnregister(id, device);
    },
    framesToUnregistered: () => 0,
    poll() {},
    async close() {},
  };
}
