// Whether this thread's datapath records trace events: only while someone in this thread wants
// them (a trace listener, or a subscriber of the trace channel), so tracing costs nothing
// otherwise. Internal: not part of the public API.
// The addon straight from its loader: lib/native.ts imports this module (through ./trace).
import { addon } from './addon';

/** Who may want this thread's trace events. */
export type TraceDemand = 'listeners' | 'channel';

const wanted: Record<TraceDemand, boolean> = { listeners: false, channel: false };
let on = false;

/**
 * Records whether `demand` wants trace events and switches native tracing to match. `on`
 * changes only once the addon did, so a failed switch (ENOMEM: this thread's bulk queues cannot
 * be allocated) throws and is retried by the next call.
 */
export function wantTrace(demand: TraceDemand, want: boolean): void {
  wanted[demand] = want;
  const next = wanted.listeners || wanted.channel;
  if (next === on) return;
  addon.setTracing(next);
  on = next;
}
