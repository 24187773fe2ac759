// The device churner: creates the pool of devices the updater points entries at, then every
// --churn-ms replaces one (create, move the old one's entries to it, unregister the old one and
// wait until that resolves, which purges entries a writer raced onto it); every eighth round,
// where the implementation has namespaces, entries move to a device in a new namespace and the
// namespace is destroyed. Its rounds keep the control plane's shared schedule and the table's
// occupancy (roles/occupancy.ts). It tells the checker about every device.
import { AMBIGUOUS, recordedWrite, UNCHANGED } from '../checker';
import { LatencyRecorder } from '../latency';
import { arriveAndWait, CONTROL, DEVICE, deviceNumber, PhaseShared, sleepMs, STATE } from '../shared-state';
import { Timeline } from '../timeline';
import type { TableClient } from '../../peers/types';
import { ChurnerResult, randomSource, RoleOptions } from './common';
import { holdsEntry, isEmpty, pickKey } from './occupancy';

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
    lagMs: 0,
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
  /** Points `count` keys that `wanted` picks (checked again under the key's lock) at `device`. */
  const pointSome = (count: number, wanted: (key: number) => boolean, device: () => number): void => {
    for (let i = 0; i < count; i += 1) {
      const key = pickKey(random, options.keys, wanted);
      if (key < 0) continue;
      recordedWrite(shared, key, () => {
        const to = device();
        if (!wanted(key) || to === 0) return UNCHANGED;
        return client.set(key, to) ? to : AMBIGUOUS;
      });
    }
  };
  /** Moves the entries of `from` to `to`, as an operator moves a device's routes to its
   * replacement before taking it away (roles/occupancy.ts). */
  const moveEntries = (from: number, to: number): void => {
    const onFrom = (key: number): boolean => Atomics.load(shared.value, key) === from;
    for (let key = 0; key < options.keys; key += 1) {
      if (onFrom(key)) recordedWrite(shared, key, () => (onFrom(key) ? (client.set(key, to) ? to : AMBIGUOUS) : UNCHANGED));
    }
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

  // Round r begins at (r - 1) × --churn-ms of the shared schedule (harness/timeline.ts): on the
  // clock, and never ahead of a starved updater or deleter.
  const timeline = new Timeline(control, 'churner', options.mode === 'mix' && options.churnMs > 0);
  arriveAndWait(shared);
  timeline.begin();
  let round = 0;
  while (Atomics.load(control, CONTROL.state) !== STATE.stop) {
    if (!timeline.onSchedule || !timeline.mayStart(round * options.churnMs)) {
      client.poll();
      sleepMs(timeline.onSchedule ? Math.max(0.05, Math.min(1, round * options.churnMs - timeline.elapsedMs())) : 1);
      continue;
    }
    round += 1;
    const fresh = create();
    const slot = random(pool.length);
    const old = Atomics.exchange(pool, slot, fresh);
    moveEntries(old, fresh);
    await release(old, () => client.unregister(old), latency.unregister);
    if (round % 8 === 0 && client.createDeviceInNewNamespace !== undefined) {
      const begun = performance.now();
      const { device, destroy } = client.createDeviceInNewNamespace();
      latency.createDevice.since(begun);
      announce(device);
      // Four entries move to a device of the doomed namespace; its destruction purges them and
      // four empty keys are set in their place.
      pointSome(4, (key) => holdsEntry(shared, key), () => device);
      await release(device, destroy, latency.namespaceDestroy);
      pointSome(4, (key) => isEmpty(shared, key), () => Atomics.load(pool, random(pool.length)));
      result.namespacesDestroyed += 1;
    }
    timeline.reached(round * options.churnMs);
    client.poll();
  }
  result.seconds = timeline.elapsedMs() / 1000;
  result.lagMs = timeline.lagMs(round * options.churnMs);
  timeline.leave();
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
