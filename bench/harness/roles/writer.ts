// The updater (`set` at --rate) and the deleter (`delete` and `compareAndDelete`, alternating,
// at --delete-rate, each followed by a set of an empty key), both on the control plane's shared
// schedule and keeping the table's occupancy: random keys, devices from the churner's pool;
// every write is recorded for the readers' checker, and the updater's and deleter's own are timed.
import { AMBIGUOUS, recordedWrite, UNCHANGED } from '../checker';
import { LatencyRecorder, summaries } from '../latency';
import { arriveAndWait, CONTROL, PhaseShared, sleepMs, STATE } from '../shared-state';
import { Timeline } from '../timeline';
import type { TableClient } from '../../peers/types';
import { randomSource, RoleOptions, WriterResult } from './common';
import { holdsEntry, isEmpty, pickKey } from './occupancy';

/** The updater's and the deleter's operations, timed, with the checker's predicates. */
class Writer {
  readonly latency = { set: new LatencyRecorder(), delete: new LatencyRecorder(), compareAndDelete: new LatencyRecorder() };
  readonly result: WriterResult;

  constructor(
    readonly role: 'updater' | 'deleter',
    private readonly client: TableClient,
    private readonly shared: PhaseShared,
    participant: number,
    private readonly options: RoleOptions,
    private readonly random: (n: number) => number
  ) {
    this.result = { role, participant, ops: 0, refused: 0, seconds: 0, lagMs: 0, latency: {} };
  }

  readonly hasEntry = (key: number): boolean => holdsEntry(this.shared, key);
  readonly empties = (key: number): boolean => isEmpty(this.shared, key);

  set(key: number): number {
    const device = Atomics.load(this.shared.pool, this.random(this.shared.pool.length));
    if (device === 0) return UNCHANGED; // the churner is releasing the pool at the end
    const begun = performance.now();
    const ok = this.client.set(key, device);
    this.latency.set.since(begun);
    if (!ok) this.result.refused += 1;
    return ok ? device : AMBIGUOUS;
  }

  /** the deleter's set in place of the entry it removed (not timed: the updater times sets) */
  add(key: number): number {
    const device = Atomics.load(this.shared.pool, this.random(this.shared.pool.length));
    if (device === 0) return UNCHANGED;
    return this.client.set(key, device) ? device : AMBIGUOUS;
  }

  remove(key: number): number {
    const begun = performance.now();
    const had = this.client.delete(key);
    this.latency.delete.since(begun);
    if (!had) this.result.refused += 1;
    return 0;
  }

  compareAndDelete(key: number): number {
    const begun = performance.now();
    const deleted = this.client.compareAndDelete(key);
    this.latency.compareAndDelete.since(begun);
    if (!deleted) this.result.refused += 1;
    return deleted ? 0 : UNCHANGED;
  }

  /** 64 operations. Occupancy stays put (roles/occupancy.ts): the updater re-points an existing
   * entry; the deleter removes one and sets an empty key in its place. */
  batch(): void {
    const { shared, random, hasEntry, empties } = this;
    const { keys } = this.options;
    for (let i = 0; i < 64; i += 1) {
      const key = pickKey(random, keys, hasEntry);
      if (key < 0) continue;
      if (this.role === 'updater') {
        recordedWrite(shared, key, () => (hasEntry(key) ? this.set(key) : UNCHANGED));
        continue;
      }
      const effect = recordedWrite(shared, key, () => (!hasEntry(key) ? UNCHANGED : (i & 1) === 0 ? this.remove(key) : this.compareAndDelete(key)));
      const empty = effect === 0 ? pickKey(random, keys, empties) : -1;
      if (empty >= 0) recordedWrite(shared, empty, () => (empties(empty) ? this.add(empty) : UNCHANGED));
    }
  }
}

export async function runWriter(
  role: 'updater' | 'deleter',
  client: TableClient,
  shared: PhaseShared,
  participant: number,
  options: RoleOptions
): Promise<WriterResult> {
  const writer = new Writer(role, client, shared, participant, options, randomSource(0x51ed27 ^ (participant * 0x2c1b3c6d)));
  const idle = options.mode === 'quiet' || (options.mode === 'writer' && role === 'deleter');
  const rate = idle ? 0 : role === 'updater' ? options.rate : options.deleteRate;
  const { result } = writer;
  const { control } = shared;

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
    writer.batch();
    result.ops += 64;
    timeline.reached(position());
    shared.progress[participant] += 64;
    client.poll();
  }
  result.seconds = timeline.elapsedMs() / 1000;
  result.lagMs = timeline.lagMs(position());
  timeline.leave();
  result.latency = summaries(writer.latency);
  while (Atomics.load(control, CONTROL.churnerDone) === 0) {
    client.poll();
    sleepMs(0.5);
  }
  await client.close();
  return result;
}
