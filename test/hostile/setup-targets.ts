// The objects every hostile scenario calls into, made by the main thread of a child process.
import { Device, Namespace, RedirectHashTable, RedirectTable } from '../../lib';
import { CallTargets } from './calls';

export interface Targets {
  /** Plain ids, for workerData. */
  ids: CallTargets;
  close(): Promise<void>;
}

export function setupTargets(tag: string): Targets {
  const ns = new Namespace(`${tag}-ns`);
  const device = Namespace.root.createDevice(`${tag}-dev`, { ringSize: 1 << 16 });
  const [veth] = Device.createVethPair(
    { name: `${tag}-va`, namespace: Namespace.root },
    { name: `${tag}-vb`, namespace: ns }
  );
  const upper = device.createUpper('ipvlan', { name: `${tag}-up` });
  const array = new RedirectTable({ maxEntries: 64 });
  const hash = new RedirectHashTable({ maxEntries: 64 });
  for (let key = 0; key < 8; key += 1) {
    array.set(key, device.ifindex);
    hash.set(key, device.ifindex);
  }
  return {
    ids: {
      arrayId: array.id,
    hashId: hash.id,
    namespaceId: ns.id,
    deviceIfindex: device.ifindex,
    vethIfindex: veth.ifindex,
      upperIfindex: upper.ifindex,
    },
    async close() {
      await Promise.all([array.close(), hash.close()]);
      await Promise.all([upper.unregister(), veth.unregister(), device.unregister()]);
      await ns.destroy();
    },
  };
}
