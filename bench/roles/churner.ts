// The device churner: creates the pool of devices the updater points entries at, then every
// --churn-ms replaces one (create, point entries at it, unregister the old one and wait until
// that resolves); every eighth round, where the implementation has namespaces, a device in a new
// namespace is pointed at and the namespace destroyed. It tells the checker about every device.
import { recordedWrite, AMBIGUOUS } from '../harness/checker';
import { LatencyRecorder } from '../harness/latency';
import { arriveAndWait, CONTROL, DEVICE, deviceNumber, PhaseShared, sleepMs, STATE } from '../harness/shared-state';
import type { TableClient } from '../impls/types';
import { ChurnerResult, randomSource, RoleOptions } from './common';

export async function runChurner(client: TableClient, shared: PhaseShared, participant: number, options: RoleOptions): Promise<ChurnerResult> {
  const random = randomSource(0x1b873593 ^ participant);
  const { control, pool, deviceState } = shared;
  const latency = { createDevice: new LatencyRecorder(), unregister: new LatencyRecorder(), namespaceDestroy: new LatencyRecorder() };
  const result: ChurnerResult = {
    role: 'churner',
    participant,
    devicesCreated: 0,
    unregistrations: 0,
    namespacesDestroyed: 0,
    framesHanded: 0,
    framesDrained: 0,
    framesDropped: 0,
    seconds: 0,
    latency: {},
  };

  const announce = (device: number): number => {
    if (Atomics.load(control, CONTROL.createdCount) === 0) Atomics.store(control, CONTROL.deviceBase, device - 1);
    Atomics.store(deviceState, deviceNumber(shared, device), DEVICE.live);
    shared.created[Atomics.add(control, CONTROL.createdCount, 1)] = device;
    result.devicesCreated += 1;
    return device;
  };
  const create = (): number => {
    const begun = performance.now();
    const device = client.createDevice();
    latency.createDevice.since(begun);
    return announce(device);
  };
  const pointAt = (key: number, device: number): void => {
    recordedWrite(shared, key, () => (client.set(key, device) ? device : AMBIGUOUS));
  };
  /** Unregisters `device` through `unregister` and records its release for the checker. */
  const release = async (device: number, unregister: () => Promise<void>, recorder: LatencyRecorder): Promise<void> => {
    const n = deviceNumber(shared, device);
    Atomics.store(deviceState, n, DEVICE.unregistering);
    const begun = performance.now();
    await unregister();
    recorder.since(begun);
    Atomics.store(shared.deathSeq, n, Atomics.add(control, CONTROL.deaths, 1) + 1);
    Atomics.store(deviceState, n, DEVICE.unregistered);
    result.unregistrations += 1;
    const counts = client.afterRelease?.(device);
    if (counts !== undefined) {
      shared.handedAtRelease[n] = counts.handed;
      result.framesHanded += counts.handed;
      result.framesDrained += counts.drained;
      result.framesDropped += counts.dropped;
    }
  };

  for (let i = 0; i < pool.length; i += 1) Atomics.store(pool, i, create());
  for (let key = 0; key < options.keys; key += 1) if (key % 4 !== 3) pointAt(key, pool[key % pool.length]);
  Atomics.store(control, CONTROL.poolReady, pool.length);

  arriveAndWait(shared);
  const start = performance.now();
  let next = start;
  let round = 0;
  while (Atomics.load(control, CONTROL.state) !== STATE.stop) {
    const now = performance.now();
    if (options.mode !== 'mix' || options.churnMs === 0 || now < next) {
      client.poll();
      sleepMs(options.mode !== 'mix' || options.churnMs === 0 ? 1 : Math.max(0.05, Math.min(1, next - now)));
      continue;
    }
    next = Math.max(next + options.churnMs, now);
    round += 1;
    const fresh = create();
    const slot = random(pool.length);
    const old = Atomics.exchange(pool, slot, fresh);
    for (let i = 0; i < 4; i += 1) pointAt(random(options.keys), fresh);
    await release(old, () => client.unregister(old), latency.unregister);
    if (round % 8 === 0 && client.createDeviceInNewNamespace !== undefined) {
      const begun = performance.now();
      const { device, destroy } = client.createDeviceInNewNamespace();
      latency.createDevice.since(begun);
      announce(device);
      for (let i = 0; i < 4; i += 1) pointAt(random(options.keys), device);
      await release(device, destroy, latency.namespaceDestroy);
      result.namespacesDestroyed += 1;
    }
    client.poll();
  }
  result.seconds = (performance.now() - start) / 1000;
  for (let i = 0; i < pool.length; i += 1) {
    const device = Atomics.exchange(pool, i, 0);
    await release(device, () => client.unregister(device), latency.unregister);
  }
  Atomics.store(control, CONTROL.churnerDone, 1);
  for (const [name, recorder] of Object.entries(latency)) {
    const summary = recorder.summary();
    if (summary.count !== 0) result.latency[name] = summary;
  }
  await client.close();
  return result;
}
