// Opens a namespace by name, keeps creating devices in it and redirecting through a table of
// the namespace until the namespace is destroyed (createDevice fails with ENOENT).
import { parentPort, workerData } from 'node:worker_threads';
import { Device, Namespace, RedirectError, RedirectTable } from '../../lib';

const { namespaceName, tableId } = workerData as { namespaceName: string; tableId: number };
const ns = Namespace.open(namespaceName);
const table = RedirectTable.open(tableId);
const created: Device[] = [];
let refusedWith = '';
let frames = 0;
const ids = new Uint32Array(64);
const lengths = new Uint32Array(64).fill(64);
const keys = new Uint32Array(64).map((_, i) => i % table.maxEntries);

async function run(): Promise<void> {
  for (let i = 0; ; i += 1) {
    try {
      const dev = ns.createDevice(`w${i}`);
      created.push(dev);
      table.set(i % table.maxEntries, dev.ifindex);
    } catch (error) {
      if (!(error instanceof RedirectError)) throw error;
      refusedWith = error.code; // ENOENT once destroying; ENODEV if a set raced the purge
      if (error.code === 'ENOENT') break;
    }
    frames += table.redirect(keys, ids, lengths);
    if (i === 3) parentPort?.postMessage('ready');
    await new Promise((resolve) => setImmediate(resolve));
  }
  await table.close();
  parentPort?.postMessage({ created: created.map((d) => d.name), refusedWith, frames, state: ns.state });
}

void run();
