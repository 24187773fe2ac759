// memoryUsage(): the native memory the package holds, for graphs and leak alarms.
import { native } from './native';
import type { MemoryUsage } from './types';

/** The native memory the package holds right now, by kind. Cheap enough to poll every second
 * (a sum over per-thread counters; no lock, no allocation in native code). */
export function memoryUsage(): MemoryUsage {
  return native.memoryUsage();
}
