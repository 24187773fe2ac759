// The updater (`set` at --rate) and the deleter (`delete` and `compareAndDelete`, alternating,
// at --delete-rate, each followed by a set of an empty key), both on the control plane's shared
// schedule and keeping the table's occupancy: random keys, devices from the churner's pool;
// every write is recorded for the readers' checker, and the updater's and deleter's own are timed.
import { AMBIGUOUS, recordedWrite, UNCHANGED } from '../checker';
import { LatencyRecorder } from '../latency';
import { arriveAndWait, CONTROL, PhaseShared, sleepMs, STATE } from '../shared-state';
import { Timeline } from '../timeline';
import type { TableClient } from '../../peers/types';
import { randomSource, RoleOptions, WriterResult } from './common';
import { holdsEntry, isEmpty, pickKey } from './occupancy';

export async function runWriter(
  role: 'updater' | 'deleter',
  client: TableClient,
  shared: PhaseShared,
  participant: number,
  options: RoleOptions
): Promise<WriterResult> {
  const random = randomSource(0x51ed27 ^ (participant * 0x2c1b3c6d));
  const idle = options.mode === 'quiet' || (options.mode === 'writer' && role === 'deleter');
  const rate = idle ? 0 : role === 'updater' ? options.rate : options.deleteRate;
  const latency = { set: new LatencyRecorder(), delete: new LatencyRecorder(), compareAndDelete: new LatencyRecorder() };
  const result: WriterResult = { role, participant, ops: 0, refused: 0, seconds: 0, lagMs: 0, latency: {} };
  const { control, pool } = shared;

  const set = (key: number): number => {
    const device = Atomics.load(pool, random(pool.length));
    if (device === 0) return UNCHANGED; // the churner is releasing the pool at the end
    const begun = performance.now();
    const ok = client.set(key, device);
    latency.set.since(begun);
    if (!ok) result.refused += 1;
    return ok ? device : AMBIGUOUS;
  };
  /** the deleter's set in place of the entry it removed (not timed: the updater times sets) */
  const add = (key: number): number => {
    const device = Atomics.load(pool, random(pool.length));
    if (device === 0) return UNCHANGED;
    return client.set(key, device) ? device : AMBIGUOUS;
  };
  const hasEntry = (key: number): boolean => holdsEntry(shared, key);
  const empties = (key: number): boolean => isEmpty(shared, key);
  const remove = (key: number): number => {
    const begun = performance.now();
    const had = client.delete(key);
    latency.delete.since(begun);
    if (!had) result.refused += 1;
    return 0;
  };
  const compareAndDelete = (key: number): number => {
    const begun = performance.now();
    const deleted = client.compareAndDelete(key);
    latency.compareAndDelete.since(begun);
    if (!deleted) result.refused += 1;
    return deleted ? 0 : UNCHANGED;
  };

  // Both writers keep the shared schedule (harness/timeline.ts): a starved updater slows the
  // deleter and the churner down with it, so every implementation runs the same mix.
  const timeline = new Timeline(control, role, typeof rate === 'number' && rate > 0);
  const position = (): number => (typeof rate === 'number' && rate > 0 ? (result.ops / rate) * 1000 : 0);
  arriveAndWait(shared);
  timeline.begin();
  while (Atomics.load(control, CONTROL.state) !== STATE.stop) {
    if (rate === 0 || !timeline.mayStart(position())) {
      client.poll();
      sleepMs(0.5); // ahead of the schedule
      continue;
    }
    for (let i = 0; i < 64; i += 1) {
      // Occupancy stays put (roles/occupancy.ts): the updater re-points an existing entry; the
      // deleter removes one and sets an empty key in its place.
      const key = pickKey(random, options.keys, hasEntry);
      if (key < 0) continue;
      if (role === 'updater') {
        recordedWrite(shared, key, () => (hasEntry(key) ? set(key) : UNCHANGED));
        continue;
      }
      const effect = recordedWrite(shared, key, () => (!hasEntry(key) ? UNCHANGED : (i & 1) === 0 ? remove(key) : compareAndDelete(key)));
      const empty = effect === 0 ? pickKey(random, options.keys, empties) : -1;
      if (empty >= 0) recordedWrite(shared, empty, () => (empties(empty) ? add(empty) : UNCHANGED));
    }
    result.ops += 64;
    timeline.reached(position());
    shared.progress[participant] += 64;
    client.poll();
  }
  result.seconds = timeline.elapsedMs() / 1000;
  result.lagMs = timeline.lagMs(position());
  timeline.leave();
  for (const [name, recorder] of Object.entries(latency)) {
    const summary = recorder.summary();
    if (summary.count !== 0) result.latency[name] = summary;
  }
  while (Atomics.load(control, CONTROL.churnerDone) === 0) {
    client.poll();
    sleepMs(0.5);
  }
  await client.close();
  return result;
}
