// The random per-key workload every process of the linearizability test runs (workers and main).
import { RecordableTable, Recorder } from './recorder';

/** mulberry32: a small seeded PRNG, so workloads are reproducible. */
export function seededRandom(seed: number): (n: number) => number {
  let a = seed >>> 0;
  return (n: number): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) / 4294967296) * n | 0;
  };
}

export interface WorkloadTable extends RecordableTable {
  /** Unrecorded: only used to pick a plausible revision for compareAndDelete. */
  entry(key: number): { revision: number } | undefined;
}

export interface WorkloadOptions {
  seed: number;
  operations: number;
  keys: readonly number[];
  ifindexes: readonly number[];
}

/**
 * `operations` random operations on `keys`: ~35% get, 25% set, 10% delete, 30% compareAndDelete
 * with a revision from a fresh entry() read (half of them), this process's own last set of the
 * key, or a stale one (an older revision this process saw, or 1).
 */
export function runWorkload(table: WorkloadTable, recorder: Recorder, options: WorkloadOptions): void {
  for (const _ of workloadSteps(table, recorder, options)) void _;
}

/** The same workload one operation at a time, to interleave several processes in one thread. */
export function* workloadSteps(table: WorkloadTable, recorder: Recorder, options: WorkloadOptions): Generator<void> {
  const random = seededRandom(options.seed);
  const { keys, ifindexes } = options;
  const ownLast = new Map<number, number>();
  const seenRevisions: number[] = [];
  for (let i = 0; i < options.operations; i += 1) {
    const key = keys[random(keys.length)];
    const roll = random(100);
    if (roll < 35) {
      recorder.get(table, key);
    } else if (roll < 60) {
      const revision = recorder.set(table, key, ifindexes[random(ifindexes.length)]);
      ownLast.set(key, revision);
      seenRevisions.push(revision);
    } else if (roll < 70) {
      recorder.delete(table, key);
    } else {
      const source = random(6);
      let revision: number;
      if (source < 3) {
        const entry = table.entry(key);
        revision = entry?.revision ?? ownLast.get(key) ?? 1;
        if (entry) seenRevisions.push(entry.revision);
      } else if (source < 5) {
        revision = ownLast.get(key) ?? 1;
      } else {
        revision = seenRevisions.length > 0 ? seenRevisions[random(seenRevisions.length)] : 1;
      }
      recorder.compareAndDelete(table, key, revision);
    }
    yield;
  }
}
