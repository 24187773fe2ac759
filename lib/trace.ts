// Trace listeners of this thread (RedirectTable.setTrace), the delivery of trace events to
// them and to the trace channel, and where a listener's error goes. Internal: not part of the
// public API.
import type { TraceEvent } from './types';
import { publishTrace } from './trace-channel';
import { wantTrace } from './trace-switch';

type Listener = (event: TraceEvent) => void;

/** `code` of the process warning that reports a listener error nobody called for. */
export const TRACE_LISTENER_WARNING_CODE = 'ERR_REDIRECT_TABLE_TRACE_LISTENER';

// A listener belongs to the table handle it was set on and lives exactly as long as that
// handle: a handle dropped without close() is collected with its listener, even when the
// listener closes over the handle (or over large buffers). So nothing here holds a handle
// strongly: `tracers` keeps WeakRefs, and `listeners` is a WeakMap, whose values are held only
// while their key (the handle) is alive.
interface Tracing {
  listener: Listener;
  readonly tableId: number;
  readonly ref: WeakRef<object>;
}
const listeners = new WeakMap<object, Tracing>();
const tracers = new Map<number, Set<WeakRef<object>>>(); // table id -> handles tracing it
let tracing = 0; // entries in `tracers`
const released = new FinalizationRegistry<{ tableId: number; ref: WeakRef<object> }>(({ tableId, ref }) =>
  forget(tableId, ref)
);

function forget(tableId: number, ref: WeakRef<object>): void {
  const refs = tracers.get(tableId);
  if (refs === undefined || !refs.delete(ref)) return;
  if (refs.size === 0) tracers.delete(tableId);
  tracing -= 1;
  if (tracing === 0) wantTrace('listeners', false); // free again when nobody listens
}

/** Sets (or with `undefined` removes) the trace listener of a table handle. */
export function setTraceListener(handle: object, tableId: number, listener: Listener | undefined): void {
  const current = listeners.get(handle);
  if (current !== undefined && listener !== undefined) {
    current.listener = listener;
    return;
  }
  if (current !== undefined) {
    listeners.delete(handle);
    released.unregister(handle);
    forget(current.tableId, current.ref);
    return;
  }
  if (listener === undefined) return;
  const ref = new WeakRef(handle);
  listeners.set(handle, { listener, tableId, ref });
  released.register(handle, { tableId, ref }, handle);
  let refs = tracers.get(tableId);
  if (refs === undefined) tracers.set(tableId, (refs = new Set()));
  refs.add(ref);
  tracing += 1;
  if (tracing === 1) wantTrace('listeners', true);
}

/** @internal Handles of this thread with a trace listener (tests check dropped ones go). */
export function tracedHandleCount(): number {
  return tracing;
}

/**
 * The addon's trace dispatcher: gives every event to every listener of its table, then to the
 * trace channel's subscribers, even when some listeners throw; then rethrows the first
 * listener error, so the call that flushed (redirect, flush, broadcast, redirectOne, the
 * automatic flush) throws it. Subscribers' errors never come here (see publishTrace).
 */
export function dispatchTrace(events: TraceEvent[]): void {
  let failed = false;
  let firstError: unknown;
  for (const event of events) {
    const refs = tracers.get(event.tableId);
    if (refs !== undefined) {
      for (const ref of refs) {
        const handle = ref.deref();
        const listener = handle === undefined ? undefined : listeners.get(handle)?.listener;
        if (listener === undefined) continue;
        try {
          listener(event);
        } catch (error) {
          if (!failed) firstError = error;
          failed = true;
        }
      }
    }
    publishTrace(event);
  }
  if (failed) throw firstError;
}

/**
 * Reports an error of a trace listener that ran with no caller to throw to (the automatic
 * end-of-task flush): a process warning named `RedirectTableWarning` with `code`
 * `ERR_REDIRECT_TABLE_TRACE_LISTENER` and the listener's error as `cause`. Never throws.
 */
export function reportTraceError(error: unknown): void {
  try {
    const warning = new Error(
      `A trace listener threw during the automatic end-of-task flush (its frames were transmitted): ${describe(error)}`,
      { cause: error }
    );
    warning.name = 'RedirectTableWarning';
    process.emitWarning(Object.assign(warning, { code: TRACE_LISTENER_WARNING_CODE }));
  } catch {
    // process.emitWarning replaced by something that throws: nowhere left to report to.
  }
}

function describe(error: unknown): string {
  try {
    return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  } catch {
    return 'an unprintable value';
  }
}
