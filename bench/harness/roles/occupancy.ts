// The control plane keeps the table's occupancy where the churner's set-up left it (three keys in
// four): the updater re-points entries that exist, every delete is followed by a set of an
// empty key, and the churner moves a device's entries to its replacement before unregistering
// it. So the readers' hit rate is fixed by construction, the same for every implementation, in
// every phase and however fast the writers go, instead of an equilibrium that depends on how
// the writers' and the readers' timing interleave.
//
// The writers decide from the checker's record (harness/checker.ts), which each of them reads
// under the key's writer lock, so the choice and the write are one step.
import { DEVICE, deviceNumber, PhaseShared } from '../shared-state';

/** The record says `key` holds an entry of a live device. */
export function holdsEntry(shared: PhaseShared, key: number): boolean {
  const device = Atomics.load(shared.value, key);
  return device > 0 && Atomics.load(shared.deviceState, deviceNumber(shared, device)) === DEVICE.live;
}

/** The record says `key` is empty, or held a device whose unregistration purged (or will purge) it. */
export function isEmpty(shared: PhaseShared, key: number): boolean {
  const device = Atomics.load(shared.value, key);
  return device === 0 || (device > 0 && Atomics.load(shared.deviceState, deviceNumber(shared, device)) >= DEVICE.unregistering);
}

/** A random key for which `wanted` holds (checked again under the lock by the caller), or -1
 * after 64 tries. */
export function pickKey(random: (n: number) => number, keys: number, wanted: (key: number) => boolean): number {
  for (let tries = 0; tries < 64; tries += 1) {
    const key = random(keys);
    if (wanted(key)) return key;
  }
  return -1;
}
