// One single-thread baseline, for one table kind, in a worker of its own: a fresh isolate, so
// that call sites warmed by earlier rounds or by the other table kind (a `get` that has seen two
// bound functions is polymorphic: 31 ns became 51 ns from the second round on) cannot slow it.
import { parentPort, threadId, workerData } from 'node:worker_threads';
import { Namespace, RedirectHashTable, RedirectTable } from '../../lib';
import { measureBaseline } from './baseline';

const { kind, keys, batch } = workerData as { kind: 'array' | 'hash'; keys: number; batch: number };

async function run(): Promise<void> {
  const devices = Array.from({ length: 16 }, (_, i) => Namespace.root.createDevice(`b${process.pid % 1000}-${threadId}-${i}`, { ringSize: 1 << 16 }));
  const table = kind === 'array' ? new RedirectTable({ maxEntries: keys }) : new RedirectHashTable({ maxEntries: keys });
  for (let key = 0; key < keys; key += 1) {
    if (key % 4 !== 3) table.set(key, devices[key % devices.length].ifindex); // three keys in four, as in the concurrent mix
  }
  const result = measureBaseline(table, devices, batch);
  await table.close();
  await Promise.all(devices.map((d) => d.unregister()));
  parentPort!.postMessage(result);
}

void run();
