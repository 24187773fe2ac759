// What the benchmark checks while it measures. Writers make each write and its record one step
// (a per-key writer lock the readers never take); a reader samples the record before and after
// a read, and when no write to that key was in flight the read must return what the last write
// left, or nothing if that device's unregistration had begun (unregistering purges entries).
// A read must also never return a device whose unregistration resolved before the read began.
import { CONTROL, DEVICE, deviceNumber, PhaseShared } from './shared-state';

/** A write's effect: the device id it left in the key, 0 for a delete, UNCHANGED, or
 * AMBIGUOUS when the key may hold either its previous entry or none (a set refused because the
 * device started unregistering: ours takes its entry back, leaving the slot empty). */
export const UNCHANGED = -1;
export const AMBIGUOUS = -2;

/** Runs `write` as one step for the checker; returns its result. */
export function recordedWrite(shared: PhaseShared, key: number, write: () => number): number {
  let spins = 0;
  while (Atomics.compareExchange(shared.keyLock, key, 0, 1) !== 0) {
    spins += 1;
    if (spins > 64) Atomics.wait(shared.keyLock, key, 1, 0.05);
  }
  Atomics.add(shared.started, key, 1);
  let effect = UNCHANGED;
  try {
    effect = write();
  } finally {
    if (effect !== UNCHANGED) Atomics.store(shared.value, key, effect);
    Atomics.add(shared.completed, key, 1);
    Atomics.store(shared.keyLock, key, 0);
    Atomics.notify(shared.keyLock, key, 1);
  }
  return effect;
}

export interface ReadChecks {
  /** reads checked (a sample of all reads) */
  checked: number;
  /** quiescent reads that did not return the last write (stale after a set or a delete) */
  stale: number;
  /** reads of a device whose unregistration had resolved before the read began */
  afterUnregister: number;
  examples: string[];
}

export function newReadChecks(): ReadChecks {
  return { checked: 0, stale: 0, afterUnregister: 0, examples: [] };
}

/** Reads `key` with `get` (0: no entry) and checks the result. */
export function checkedGet(shared: PhaseShared, checks: ReadChecks, key: number, get: (key: number) => number): number {
  const deathsBefore = Atomics.load(shared.control, CONTROL.deaths);
  const startedBefore = Atomics.load(shared.started, key);
  const completedBefore = Atomics.load(shared.completed, key);
  const expected = Atomics.load(shared.value, key);
  const got = get(key);
  const startedAfter = Atomics.load(shared.started, key);
  checks.checked += 1;
  if (got !== 0) {
    const died = Atomics.load(shared.deathSeq, deviceNumber(shared, got));
    if (died !== 0 && died <= deathsBefore) {
      checks.afterUnregister += 1;
      if (checks.examples.length < 4) checks.examples.push(`key ${key} read device ${got} after its unregistration resolved`);
      return got;
    }
  }
  if (startedBefore !== completedBefore || startedAfter !== startedBefore || got === expected) return got;
  if (expected === AMBIGUOUS) return got;
  const purged = got === 0 && expected !== 0 && Atomics.load(shared.deviceState, deviceNumber(shared, expected)) >= DEVICE.unregistering;
  if (!purged) {
    checks.stale += 1;
    if (checks.examples.length < 4) checks.examples.push(`key ${key} read ${got || 'nothing'} after a write left ${expected || 'nothing'}`);
  }
  return got;
}
