// Native tracing follows the subscribers of the `redirect-table:trace` channel, however they
// subscribe: a subscriber from before the package was loaded, diagnostics_channel.subscribe /
// unsubscribe by name, the Channel object's own methods, stores, together with trace listeners.
// Run in a process of its own (nothing else traces there), on any Node line the addon loads
// in. Prints a JSON report on its last line: native tracing and the events seen after each step.
import * as diagnosticsChannel from 'node:diagnostics_channel';
import { AsyncLocalStorage } from 'node:async_hooks';
import type { TraceEvent } from '../../lib';

const NAME = 'redirect-table:trace';
const early: TraceEvent[] = [];
const onEarly = (event: unknown): void => void early.push(event as TraceEvent);
diagnosticsChannel.subscribe(NAME, onEarly); // before the package is loaded

/* eslint-disable @typescript-eslint/no-require-imports */
const lib = require('../../lib') as typeof import('../../lib');
const { native } = require('../../lib/native') as typeof import('../../lib/native');

async function main(): Promise<void> {
  const steps: [string, boolean, number][] = [];
  const seen: TraceEvent[] = [];
  const dev = lib.Namespace.root.createDevice(`tcs${process.pid % 100000}`);
  const table = new lib.RedirectTable({ maxEntries: 4 });
  table.set(1, dev.ifindex);
  // One frame redirected after each step: how many events reached `seen` (or `early`).
  const step = (label: string, sink: TraceEvent[] = seen): void => {
    const before = sink.length;
    table.redirect(Uint32Array.of(1), Uint32Array.of(7), Uint32Array.of(60));
    steps.push([label, native.tracing(), sink.length - before]);
  };
  const collect = (event: unknown): void => void seen.push(event as TraceEvent);
  const other = (event: unknown): void => void seen.push(event as TraceEvent);

  step('subscribed before load', early);
  const earlyEvent = early[0];
  steps.push(['dc.unsubscribe(name) returned', diagnosticsChannel.unsubscribe(NAME, onEarly), 0]);
  step('after dc.unsubscribe(name)', early);

  const channel = diagnosticsChannel.channel(NAME);
  channel.subscribe(collect);
  step('channel.subscribe');
  diagnosticsChannel.subscribe(NAME, other);
  step('and dc.subscribe(name)');
  channel.unsubscribe(collect);
  step('channel.unsubscribe of one of two');
  diagnosticsChannel.unsubscribe(NAME, other);
  step('dc.unsubscribe(name) of the last');
  steps.push(['unsubscribe of a stranger returned', channel.unsubscribe(() => {}) as unknown as boolean, 0]);
  step('after unsubscribe of a stranger');

  let badSubscribe = '';
  try {
    channel.subscribe(42 as unknown as diagnosticsChannel.ChannelListener);
  } catch (error) {
    badSubscribe = (error as NodeJS.ErrnoException).code ?? String(error);
  }
  step('after a refused subscribe');

  const store = new AsyncLocalStorage();
  channel.bindStore(store);
  step('bindStore (hasSubscribers, no subscriber)');
  channel.unbindStore(store);
  step('unbindStore');

  // With a trace listener: tracing stays on while either one is there.
  const traced: TraceEvent[] = [];
  table.setTrace((event) => traced.push(event));
  channel.subscribe(collect);
  table.setTrace(null);
  step('listener removed, subscriber left');
  table.setTrace((event) => traced.push(event));
  channel.unsubscribe(collect);
  step('subscriber removed, listener left', traced);
  table.setTrace(null);
  step('both removed');

  await table.close();
  await dev.unregister();
  console.log(JSON.stringify({ earlyEvent, tableId: table.id, ifindex: dev.ifindex, badSubscribe, steps }));
}

void main();
