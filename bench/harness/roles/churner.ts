// The device churner: creates the pool of devices the updater points entries at, then every
// --churn-ms replaces one (create, move the old one's entries to it, unregister the old one and
// wait until that resolves, which purges entries a writer raced onto it); every eighth round,
// where the implementation has namespaces, entries move to a device in a new namespace and the
// namespace is destroyed. Its rounds keep the control plane's shared schedule and the table's
// occupancy (roles/occupancy.ts). It tells the checker about every device.
import { AMBIGUOUS, recordedWrite, UNCHANGED } from '../checker';
import { LatencyRecorder, summaries } from '../latency';
import { arriveAndWait, CONTROL, DEVICE, deviceNumber, PhaseShared, sleepMs, STATE } from '../shared-state';
import { Timeline } from '../timeline';
import type { TableClient } from '../../peers/types';
import { ChurnerResult, randomSource, RoleOptions } from './common';
import { holdsEntry, isEmpty, pickKey } from './occupancy';

/** The churner's operations on the table and on the checker's record, and what it counts. */
class Churner {
  readonly latency = { createDevice: new LatencyRecorder(), unregister: new LatencyRecorder(), namespaceDestroy: new LatencyRecorder() };
  readonly result: ChurnerResult;

  constructor(
    private readonly client: TableClient,
    private readonly shared: PhaseShared,
    participant: number,
    private readonly options: RoleOptions,
    private readonly random: (n: number) => number
  ) {
    this.result = {
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
  }

  /** Tells the checker `device` is live. */
  announce(device: number): number {
    const { shared } = this;
    if (Atomics.load(shared.control, CONTROL.createdCount) === 0) Atomics.store(shared.control, CONTROL.deviceBase, device - 1);
    Atomics.store(shared.deviceState, deviceNumber(shared, device), DEVICE.live);
    shared.created[Atomics.add(shared.control, CONTROL.createdCount, 1)] = device;
    this.result.devicesCreated += 1;
    return device;
  }

  create(): number {
    const begun = performance.now();
    const device = this.client.createDevice();
    this.latency.createDevice.since(begun);
    return this.announce(device);
  }

  pointAt(key: number, device: number): void {
    recordedWrite(this.shared, key, () => (this.client.set(key, device) ? device : AMBIGUOUS));
  }

  /** Points `count` keys that `wanted` picks (checked again under the key's lock) at `device`. */
  pointSome(count: number, wanted: (key: number) => boolean, device: () => number): void {
    for (let i = 0; i < count; i += 1) {
      const key = pickKey(this.random, this.options.keys, wanted);
      if (key < 0) continue;
      recordedWrite(this.shared, key, () => {
        const to = device();
        if (!wanted(key) || to === 0) return UNCHANGED;
        return this.client.set(key, to) ? to : AMBIGUOUS;
      });
    }
  }

  /** Moves the entries of `from` to `to`, as an operator moves a device's routes to its
   * replacement before taking it away (roles/occupancy.ts). */
  moveEntries(from: number, to: number): void {
    const { shared, client } = this;
    const onFrom = (key: number): boolean => Atomics.load(shared.value, key) === from;
    for (let key = 0; key < this.options.keys; key += 1) {
      if (onFrom(key)) recordedWrite(shared, key, () => (onFrom(key) ? (client.set(key, to) ? to : AMBIGUOUS) : UNCHANGED));
    }
  }

  /** Unregisters `device` through `unregister` and records its release for the checker. */
  async release(device: number, unregister: () => Promise<void>, recorder: LatencyRecorder): Promise<void> {
    const { shared, result } = this;
    const n = deviceNumber(shared, device);
    Atomics.store(shared.deviceState, n, DEVICE.unregistering);
    const begun = performance.now();
    await unregister();
    recorder.since(begun);
    Atomics.store(shared.deathSeq, n, Atomics.add(shared.control, CONTROL.deaths, 1) + 1);
    Atomics.store(shared.deviceState, n, DEVICE.unregistered);
    result.unregistrations += 1;
    const counts = this.client.afterRelease?.(device);
    if (counts !== undefined) {
      shared.handedAtRelease[n] = counts.handed;
      result.framesHanded += counts.handed;
      result.framesDrained += counts.drained;
      result.framesDropped += counts.dropped;
    }
  }

  /** Creates the pool and points three keys in four at its devices. */
  fillPool(): void {
    const { pool } = this.shared;
    for (let i = 0; i < pool.length; i += 1) Atomics.store(pool, i, this.create());
    for (let key = 0; key < this.options.keys; key += 1) if (key % 4 !== 3) this.pointAt(key, pool[key % pool.length]);
    Atomics.store(this.shared.control, CONTROL.poolReady, pool.length);
  }

  /** One round: a fresh device takes a random pool slot and the old one's entries, and the old
   * one is unregistered. */
  async replaceOne(): Promise<void> {
    const { pool } = this.shared;
    const fresh = this.create();
    const slot = this.random(pool.length);
    const old = Atomics.exchange(pool, slot, fresh);
    this.moveEntries(old, fresh);
    await this.release(old, () => this.client.unregister(old), this.latency.unregister);
  }

  /** Four entries move to a device of a new namespace; destroying the namespace purges them, and
   * four empty keys are set in their place. */
  async destroyNamespace(): Promise<void> {
    const { shared } = this;
    const begun = performance.now();
    const { device, destroy } = this.client.createDeviceInNewNamespace!();
    this.latency.createDevice.since(begun);
    this.announce(device);
    this.pointSome(4, (key) => holdsEntry(shared, key), () => device);
    await this.release(device, destroy, this.latency.namespaceDestroy);
    this.pointSome(4, (key) => isEmpty(shared, key), () => Atomics.load(shared.pool, this.random(shared.pool.length)));
    this.result.namespacesDestroyed += 1;
  }

  /** Unregisters every device left in the pool. */
  async releasePool(): Promise<void> {
    const { pool } = this.shared;
    for (let i = 0; i < pool.length; i += 1) {
      const device = Atomics.exchange(pool, i, 0);
      await this.release(device, () => this.client.unregister(device), this.latency.unregister);
    }
  }
}

export async function runChurner(client: TableClient, shared: PhaseShared, participant: number, options: RoleOptions): Promise<ChurnerResult> {
  const churner = new Churner(client, shared, participant, options, randomSource(0x1b873593 ^ participant));
  const { control } = shared;
  const { result } = churner;
  churner.fillPool();

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
    await churner.replaceOne();
    if (round % 8 === 0 && client.createDeviceInNewNamespace !== undefined) await churner.destroyNamespace();
    timeline.reached(round * options.churnMs);
    client.poll();
  }
  result.seconds = timeline.elapsedMs() / 1000;
  result.lagMs = timeline.lagMs(round * options.churnMs);
  timeline.leave();
  await churner.releasePool();
  Atomics.store(control, CONTROL.churnerDone, 1);
  result.latency = summaries(churner.latency);
  await client.close();
  return result;
}
