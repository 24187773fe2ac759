// Peer 1: the fastest table a user can write without a native addon: slots in a
// SharedArrayBuffer read and written with Atomics, a device liveness array checked on every
// read, unregistration = mark dead, then compare-exchange every slot holding the device to 0.
// What it cannot do: know that no reader still holds a device it loaded before the purge.
import { MAX_DEVICES, PhaseShared } from '../harness/shared-state';
import { createSabRings, drainRings, RingProducer, ringDrops, SabRings } from './sab-rings';
import type { ClientContext, HostSummary, ImplHost, TableClient } from './types';

interface SabDescriptor {
  slots: Int32Array;
  alive: Int32Array;
  nextDevice: Int32Array;
  /** the devices' rings, drained by the host */
  rings: SabRings;
}

export function sabHost(keys: number): ImplHost {
  let received = 0;
  const descriptor: SabDescriptor = {
    slots: new Int32Array(new SharedArrayBuffer(4 * keys)),
    alive: new Int32Array(new SharedArrayBuffer(4 * MAX_DEVICES)),
    nextDevice: new Int32Array(new SharedArrayBuffer(4)),
    rings: createSabRings(),
  };
  return {
    descriptorFor: () => ({ descriptor, transferList: [] }),
    tick: () => void (received += drainRings(descriptor.rings)),
    async finish(): Promise<HostSummary> {
      received += drainRings(descriptor.rings);
      return { framesReceived: received, framesDropped: ringDrops(descriptor.rings), framesAfterUnregister: 0 };
    },
  };
}

/** A frame sent by a peer to `device`: into the device's ring, and checked against the device's
 * lifecycle (true: sent after its unregistration resolved). */
export function peerTransmit(shared: PhaseShared, producer: RingProducer, device: number, id: number, length: number): boolean {
  producer.send(device, id, length);
  return Atomics.load(shared.deviceState, device) === 3; // DEVICE.unregistered: too late
}

export function sabClient(descriptor: unknown, context: ClientContext): TableClient {
  const { slots, alive, nextDevice, rings } = descriptor as SabDescriptor;
  const producer = new RingProducer(rings);
  const { shared } = context;
  let toUnregistered = 0;
  return {
    get(key) {
      const device = Atomics.load(slots, key);
      return device !== 0 && Atomics.load(alive, device) !== 0 ? device : 0;
    },
    redirect(keys, ids, lengths) {
      let accepted = 0;
      for (let i = 0; i < keys.length; i += 1) {
        const device = Atomics.load(slots, keys[i]);
        if (device === 0 || Atomics.load(alive, device) === 0) continue;
        if (peerTransmit(shared, producer, device, ids[i], lengths[i])) toUnregistered += 1;
        accepted += 1;
      }
      producer.flush();
      return accepted;
    },
    set(key, device) {
      if (Atomics.load(alive, device) === 0) return false;
      Atomics.store(slots, key, device);
      return true;
    },
    delete: (key) => Atomics.exchange(slots, key, 0) !== 0,
    compareAndDelete(key) {
      const device = Atomics.load(slots, key);
      return device !== 0 && Atomics.compareExchange(slots, key, device, 0) === device;
    },
    createDevice() {
      const device = Atomics.add(nextDevice, 0, 1) + 1;
      Atomics.store(alive, device, 1);
      return device;
    },
    async unregister(device) {
      Atomics.store(alive, device, 0);
      for (let key = 0; key < slots.length; key += 1) Atomics.compareExchange(slots, key, device, 0);
    },
    framesToUnregistered: () => toUnregistered,
    poll() {},
    async close() {},
  };
}
