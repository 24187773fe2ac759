// The end-of-task flush of the per-frame API. Internal: not part of the public API.
import { native } from './native';
import { reportTraceError } from './trace';
import type { EnqueueVerdict } from './types';

// One flush is pending for this thread (module state is per thread: each worker loads its own).
let flushPending = false;

/**
 * `redirectOne` with the end-of-task flush arranged in JS: the first frame of a task starts one
 * flush for the end of the task; later frames pay a flag check. The addon never calls back into
 * JS for it. An `await` resumes through the engine's own promise jobs, which no replacement of
 * `queueMicrotask`, `Promise` or `Promise.prototype.then` (fake-timer libraries replace the
 * first) can delay or drop, whether it happened before or after this package was loaded.
 */
export function withAutoFlush(redirectOne: (key: number, id: number, length: number) => EnqueueVerdict) {
  return (key: number, id: number, length: number): EnqueueVerdict => {
    // Arranged before the call, so a frame it queues is always covered (a flush with nothing
    // queued costs nothing).
    if (!flushPending) {
      flushPending = true;
      void flushAtEndOfTask();
    }
    return redirectOne(key, id, length);
  };
}

// Never rejects: an error here has no caller, so it is reported instead (see reportTraceError).
async function flushAtEndOfTask(): Promise<void> {
  await undefined;
  flushPending = false;
  try {
    native.flushThread();
  } catch (error) {
    reportTraceError(error);
  }
}
