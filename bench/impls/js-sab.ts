// Peer 1: the fastest table a user can write without a native addon: slots in a
// SharedArrayBuffer read and written with Atomics, a device liveness array checked on every
// read, unregistration = mark dead, then compare-exchange every slot holding the device to 0.
// What it cannot do: know that no reader still holds a device it loaded before the purge.
import { MAX_DEVICES, MAX_THREADS, PhaseShared } from '../harness/shared-state';
import type { ClientContext, HostSummary, ImplHost, TableClient } from './types';

interface SabDescriptor {
  slots: Int32Array;
  alive: Int32Array;
  nextDevice: Int32Array;
  /** frames[participant * MAX_DEVICES + device]: frames each thread transmitted to each device */
  frames: Int32Array;
}

export function sabHost(keys: number): ImplHost {
  const descriptor: SabDescriptor = {
    slots: new Int32Array(new SharedArrayBuffer(4 * keys)),
    alive: new Int32Array(new SharedArrayBuffer(4 * MAX_DEVICES)),
    nextDevice: new Int32Array(new SharedArrayBuffer(4)),
    frames: new Int32Array(new SharedArrayBuffer(4 * MAX_THREADS * MAX_DEVICES)),
  };
  return {
    descriptorFor: () => ({ descriptor, transferList: [] }),
    tick() {},
    async finish(): Promise<HostSummary> {
      return { framesReceived: descriptor.frames.reduce((a, b) => a + b, 0), framesAfterUnregister: 0 };
    },
  };
}

/** A frame sent by a peer to `device`: counted, and checked against the device's lifecycle. */
export function peerTransmit(shared: PhaseShared, frames: Int32Array, row: number, device: number): boolean {
  frames[row + device] += 1;
  return Atomics.load(shared.deviceState, device) === 3; // DEVICE.unregistered: too late
}

export function sabClient(descriptor: unknown, context: ClientContext): TableClient {
  const { slots, alive, nextDevice, frames } = descriptor as SabDescriptor;
  const row = context.participant * MAX_DEVICES;
  const { shared } = context;
  let toUnregistered = 0;
  return {
    get(key) {
      const device = Atomics.load(slots, key);
      return device !== 0 && Atomics.load(alive, device) !== 0 ? device : 0;
    },
    redirect(keys, _ids, _lengths) {
      let accepted = 0;
      for (let i = 0; i < keys.length; i += 1) {
        const device = Atomics.load(slots, keys[i]);
        if (device === 0 || Atomics.load(alive, device) === 0) continue;
        if (peerTransmit(shared, frames, row, device)) toUnregistered += 1;
        accepted += 1;
      }
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
