// A trace listener that throws during the automatic end-of-task flush (per-frame redirectOne,
// no flush() call): the process must survive, report the error as a process warning, and
// deliver every frame and every event. Prints a JSON report on its last line.
import { Namespace, RedirectTable, TraceEvent } from '../../lib';

const warnings: { name: string; code: unknown; cause: unknown }[] = [];
process.on('warning', (w) => warnings.push({ name: w.name, code: (w as { code?: unknown }).code, cause: w.cause }));
const unhandled: unknown[] = [];
process.on('unhandledRejection', (reason) => unhandled.push(reason));

async function main(): Promise<void> {
  const dev = Namespace.root.createDevice(`tl${process.pid % 100000}`);
  const table = new RedirectTable({ maxEntries: 4 });
  const other = RedirectTable.open(table.id); // a second handle: its listener runs after
  table.set(1, dev.ifindex);
  const thrown = new Error('listener failed');
  let calls = 0;
  table.setTrace(() => {
    calls += 1;
    throw thrown;
  });
  const events: TraceEvent[] = [];
  other.setTrace((event) => events.push(event));

  for (let id = 0; id < 3; id += 1) table.redirectOne(1, id, 60); // flushed at the end of this task
  await new Promise((resolve) => setImmediate(resolve));
  await new Promise((resolve) => setImmediate(resolve)); // warnings are emitted on a next tick

  const ids = new Uint32Array(8);
  const received = dev.receive(ids);
  const stats = dev.stats();
  table.setTrace(null);
  other.setTrace(null);
  await table.close();
  await other.close();
  await dev.unregister();
  console.log(
    JSON.stringify({
      calls,
      events: events.map((e) => e.sent),
      received: Array.from(ids.subarray(0, received)),
      txFrames: stats.txFrames,
      warnings: warnings
        .filter((w) => w.name !== 'ExperimentalWarning')
        .map((w) => ({ name: w.name, code: w.code, causeIsThrown: w.cause === thrown })),
      unhandled: unhandled.length,
    })
  );
}

void main();
