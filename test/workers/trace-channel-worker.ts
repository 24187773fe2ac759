// The trace channel is per thread: this worker's native tracing stays off while only the main
// thread subscribes, and its own subscriber gets exactly the events of its own calls.
// Posts { step } before each await (for a useful failure if one never settles), then
// { tableId, atStart, subscribed, unsubscribed, events }.
import * as diagnosticsChannel from 'node:diagnostics_channel';
import { parentPort } from 'node:worker_threads';
import { Namespace, RedirectTable, TRACE_CHANNEL } from '../../lib';
import { native } from '../../lib/native';

async function main(): Promise<void> {
  const atStart = native.tracing();
  const dev = Namespace.root.createDevice(`tw${process.pid % 10000}-${Math.floor(Math.random() * 1e5)}`);
  const table = new RedirectTable({ maxEntries: 2 });
  table.set(0, dev.ifindex);
  const frame = (): number => table.redirect(Uint32Array.of(0), Uint32Array.of(1), Uint32Array.of(60));
  frame(); // nobody in this thread listens: no event anywhere
  const events: unknown[] = [];
  const collect = (event: unknown): void => void events.push(event);
  diagnosticsChannel.subscribe(TRACE_CHANNEL, collect);
  const subscribed = native.tracing();
  frame();
  diagnosticsChannel.unsubscribe(TRACE_CHANNEL, collect);
  const unsubscribed = native.tracing();
  frame();
  parentPort?.postMessage({ step: 'closing the table' });
  await table.close();
  parentPort?.postMessage({ step: 'unregistering the device' });
  await dev.unregister();
  parentPort?.postMessage({ tableId: table.id, atStart, subscribed, unsubscribed, events });
}

void main();
