// The updater (`set` at --rate) and the deleter (`delete` and `compareAndDelete`, alternating,
// at --delete-rate, never ahead of the updater's share): random keys, devices from the
// churner's pool; every write is recorded for the readers' checker and timed.
import { AMBIGUOUS, recordedWrite, UNCHANGED } from '../harness/checker';
import { LatencyRecorder } from '../harness/latency';
import { arriveAndWait, CONTROL, PhaseShared, sleepMs, STATE } from '../harness/shared-state';
import type { TableClient } from '../impls/types';
import { randomSource, RoleOptions, WriterResult } from './common';

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
  const result: WriterResult = { role, participant, ops: 0, refused: 0, seconds: 0, latency: {} };
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

  // The deleter follows the updater's progress as well as the clock: an implementation whose
  // updater falls behind (a starved writer) keeps the same sets-to-deletes ratio, so the table's
  // occupancy, and the readers' hit rate, is the same for every implementation.
  const paced = role === 'deleter' && rate !== 'max' && options.rate !== 'max' && options.rate !== 0;
  const behindUpdater = (): boolean => paced && result.ops >= (Atomics.load(control, CONTROL.sets) * (rate as number)) / (options.rate as number);
  arriveAndWait(shared);
  const start = performance.now();
  while (Atomics.load(control, CONTROL.state) !== STATE.stop) {
    if (rate === 0 || (rate !== 'max' && result.ops >= ((performance.now() - start) / 1000) * rate) || behindUpdater()) {
      client.poll();
      sleepMs(0.5); // ahead of the target rate
      continue;
    }
    for (let i = 0; i < 64; i += 1) {
      // Updater alone: replace the entries the churner set up (keys k % 4 != 3), so the table
      // keeps the no-writers phase's occupancy and the two phases do the same datapath work.
      let key = random(options.keys);
      if (options.mode === 'writer' && key % 4 === 3) key -= 1;
      if (role === 'updater') recordedWrite(shared, key, () => set(key));
      else recordedWrite(shared, key, () => ((i & 1) === 0 ? remove(key) : compareAndDelete(key)));
    }
    result.ops += 64;
    if (role === 'updater') Atomics.add(control, CONTROL.sets, 64);
    shared.progress[participant] += 64;
    client.poll();
  }
  result.seconds = (performance.now() - start) / 1000;
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
