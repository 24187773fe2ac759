// memoryUsage(): the native memory the package holds, for graphs and leak alarms.
import { native } from './native';

/** Bytes of native memory the package holds right now, by kind (object and array sizes as
 * requested from the allocator: the allocator's own overhead is not included). Process-wide:
 * the same figures from every thread. */
export interface MemoryUsage {
  /** table objects with their slot (array) or bucket (hash) arrays */
  readonly tables: number;
  /** table entries, including replaced and deleted ones still waiting for a grace period */
  readonly entries: number;
  /** devices' descriptor rings: `ringSize` × 8 bytes per producer lane (one at creation, one
   * more for each further thread that transmits to the device, up to 8); rings live as long as
   * their device object, that is until the device is unregistered and no `Device` handle refers
   * to it */
  readonly rings: number;
  /** device objects */
  readonly devices: number;
  /** namespace objects */
  readonly namespaces: number;
  /** per-thread datapath state of every thread that has redirected frames and not yet exited */
  readonly threads: number;
  /** the sum of the above */
  readonly total: number;
}

/** The native memory the package holds right now, by kind. Cheap enough to poll every second
 * (a sum over per-thread counters; no lock, no allocation in native code). */
export function memoryUsage(): MemoryUsage {
  return native.memoryUsage();
}
