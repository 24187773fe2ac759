// The diagnostics channel `redirect-table:trace`: every trace event of this thread, for the
// subscribers of this thread (a channel, like a trace event, belongs to one thread). Native
// tracing stays off while the channel has no subscriber. Internal, but for TRACE_CHANNEL.
import * as diagnosticsChannel from 'node:diagnostics_channel';
import { invalidArgType } from './errors';
import type { TraceEvent } from './types';
import { wantTrace } from './trace-switch';

/** Name of the diagnostics channel that publishes every trace event of the current thread. */
export const TRACE_CHANNEL = 'redirect-table:trace';

// diagnostics_channel tells nobody when a channel gains or loses subscribers. What it does do
// (Node 20 to 26, lib/diagnostics_channel.js): `channel(name)` returns the one Channel object
// of that name for as long as that object is alive, and `subscribe(name, fn)` /
// `unsubscribe(name, fn)` are `channel(name).subscribe(fn)` / `.unsubscribe(fn)`. So this module
// holds the object for the life of the thread (Node never makes another one while it lives) and
// gives it own subscribe, unsubscribe, bindStore and unbindStore: each calls the real method,
// then reads `hasSubscribers` (the public truth, whatever the call did) to switch tracing.
const channel = diagnosticsChannel.channel(TRACE_CHANNEL);
// Taken at load: a library that replaces globals later (instrumentation, fakes) changes nothing.
const { apply, get } = Reflect;
const { defineProperty, getOwnPropertyDescriptor, getPrototypeOf } = Object;

type Method = 'subscribe' | 'unsubscribe' | 'bindStore' | 'unbindStore';

function followChanges(method: Method): void {
  // Another copy of this package loaded in this thread may have wrapped it first: chain to it.
  const previous: unknown = getOwnPropertyDescriptor(channel, method)?.value;
  defineProperty(channel, method, {
    configurable: true,
    writable: true,
    enumerable: false,
    value: function (this: object, ...args: unknown[]): unknown {
      // Node 20 and 22 activate the channel before they check the subscriber, so a refused
      // subscribe leaves `hasSubscribers` true with no subscriber (and tracing on): refuse it
      // first, as Node 24 does.
      if (method === 'subscribe' && typeof args[0] !== 'function') {
        throw invalidArgType(`The "subscription" argument must be of type function. Received ${typeof args[0]}`);
      }
      try {
        // The real method is looked up per call: the prototype changes as the channel becomes
        // active or inactive. An inactive channel's subscribe() activates it and calls
        // this.subscribe() again (this function): the inner call syncs too, which is harmless.
        const real = typeof previous === 'function' ? previous : get(getPrototypeOf(this), method);
        return apply(real as (...a: unknown[]) => unknown, this, args);
      } finally {
        syncTracing();
      }
    },
  });
}

function syncTracing(): void {
  wantTrace('channel', channel.hasSubscribers);
}

for (const method of ['subscribe', 'unsubscribe', 'bindStore', 'unbindStore'] as const) followChanges(method);
syncTracing(); // subscribers from before this package was loaded

/**
 * Publishes one event to the channel's subscribers. diagnostics_channel calls every subscriber
 * even when some throw, and reports each error as an uncaught exception on the next tick: a
 * subscriber's error never reaches the datapath call.
 */
export function publishTrace(event: TraceEvent): void {
  if (channel.hasSubscribers) channel.publish(event);
}
