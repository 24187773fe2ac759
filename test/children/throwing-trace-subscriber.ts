// A subscriber of the trace channel that throws. diagnostics_channel catches its error and
// rethrows it as an uncaught exception on the next tick (Node's own behaviour), so the datapath
// call returns normally and every other subscriber and listener gets every event. With an
// 'uncaughtException' handler (argument 'handled') the process goes on; without one it dies
// after the call returned, as for any uncaught exception. Prints a JSON report right after
// redirect() returned, and (handled) a second one after an end-of-task flush too.
import * as diagnosticsChannel from 'node:diagnostics_channel';
import { Namespace, RedirectTable, TRACE_CHANNEL, TraceEvent } from '../../lib';

const handled = process.argv[2] === 'handled';
const thrown: Error[] = [];
const caught: unknown[] = [];
if (handled) process.on('uncaughtException', (error) => caught.push(error));

async function main(): Promise<void> {
  const dev = Namespace.root.createDevice(`ts${process.pid % 100000}`);
  const table = new RedirectTable({ maxEntries: 4 });
  table.set(1, dev.ifindex);
  const listened: TraceEvent[] = [];
  const published: TraceEvent[] = [];
  table.setTrace((event) => listened.push(event));
  diagnosticsChannel.subscribe(TRACE_CHANNEL, () => {
    const error = new Error(`subscriber failed (${thrown.length})`);
    thrown.push(error);
    throw error;
  });
  diagnosticsChannel.subscribe(TRACE_CHANNEL, (event) => published.push(event as TraceEvent));

  const accepted = table.redirect(Uint32Array.of(1, 1), Uint32Array.of(1, 2), Uint32Array.of(60, 60));
  const report = () => ({
    accepted,
    thrown: thrown.length,
    listened: listened.map((e) => e.sent),
    published: published.map((e) => e.sent),
    txFrames: dev.stats().txFrames,
  });
  console.log(JSON.stringify(report()));
  if (!handled) return; // the first subscriber error now ends the process
  for (let id = 3; id < 6; id += 1) table.redirectOne(1, id, 60); // flushed at the end of this task
  await new Promise((resolve) => setImmediate(resolve));
  await table.close();
  await dev.unregister();
  console.log(JSON.stringify({ ...report(), caught: caught.map((error) => thrown.indexOf(error as Error)) }));
}

void main();
