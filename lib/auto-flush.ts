// The end-of-task flush of the per-frame API. Internal: not part of the public API.
import { native } from './native';
import { reportTraceError } from './trace';

/**
 * The addon calls this when `redirectOne` opened this thread's read-side section: the queued
 * frames are flushed, and the section closed, at the end of the current task. An `await`
 * resumes through the engine's own promise jobs, which no replacement of `queueMicrotask`,
 * `Promise` or `Promise.prototype.then` (fake-timer libraries replace the first) can delay
 * or drop, whether it happened before or after this package was loaded.
 */
export function scheduleFlush(): void {
  void flushAtEndOfTask();
}

// Never rejects: an error here has no caller, so it is reported instead (see reportTraceError).
async function flushAtEndOfTask(): Promise<void> {
  await undefined;
  try {
    native.flushThread();
  } catch (error) {
    reportTraceError(error);
  }
}
