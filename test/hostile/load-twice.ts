// Child process (or worker): loads the package twice into one environment — once normally,
// once more after clearing the require cache — and the addon a third and fourth time with
// process.dlopen, then uses both package instances on the same objects. Prints one JSON line.
import * as path from 'node:path';
import { isMainThread, parentPort, Worker } from 'node:worker_threads';

type Package = typeof import('../../lib');

const libDir = path.join(__dirname, '..', '..', 'lib');
const addonPath = path.join(__dirname, '..', '..', '..', 'build', 'Release', 'redirect_table.node');

function loadFresh(): Package {
  for (const key of Object.keys(require.cache)) {
    if (key.startsWith(libDir) || key.endsWith('.node')) delete require.cache[key];
  }
  return require(libDir) as Package;
}

async function run(): Promise<Record<string, unknown>> {
  const first = loadFresh();
  const tag = `l${process.pid % 10000}${isMainThread ? 'm' : 'w'}`;
  const ns = new first.Namespace(`${tag}-ns`);
  const dev = ns.createDevice(`${tag}-d`);
  const table = new first.RedirectTable({ maxEntries: 8, namespace: ns });
  table.set(1, dev.ifindex);

  const second = loadFresh();
  const distinct = second !== first && second.RedirectTable !== first.RedirectTable;
  // Extra loads of the addon alone (each its own module instance and environment hooks).
  const raw = [0, 1].map(() => {
    const module = { exports: {} as Record<string, unknown> };
    process.dlopen(module, addonPath);
    return typeof module.exports.createTable === 'function';
  });

  const table2 = second.RedirectTable.open(table.id);
  const dev2 = second.Namespace.open(ns.id).device(dev.ifindex);
  const seenBySecond = table2.get(1);
  table2.set(2, dev.ifindex);
  const seenByFirst = table.get(2);
  const accepted = table2.redirect(new Uint32Array([1, 2]), new Uint32Array([10, 20]), new Uint32Array([64, 64]));
  table2.redirectOne(1, 30, 64); // flushed at the end of this task by the second instance
  await new Promise((resolve) => setImmediate(resolve));
  const ids = new Uint32Array(8);
  const received = Array.from(ids.subarray(0, dev.receive(ids)));
  let errorCode: string | undefined;
  try {
    table2.set(99, dev.ifindex);
  } catch (error) {
    errorCode = `${(error as { code?: string }).code}:${error instanceof second.RedirectError}`;
  }
  await Promise.all([table.close(), table2.close()]);
  await dev.unregister();
  await ns.destroy();
  return {
    distinct,
    raw,
    sameDevice: dev2?.name === dev.name,
    seenBySecond,
    seenByFirst,
    accepted,
    received,
    errorCode,
    stateAfter: dev2?.state,
  };
}

async function main(): Promise<void> {
  if (!isMainThread) {
    parentPort?.postMessage(await run());
    return;
  }
  const mainResult = await run();
  const worker = new Worker(__filename);
  const exited = new Promise((resolve) => worker.once('exit', resolve)); // before it can happen
  const workerResult = await new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  await exited;
  // A worker that loads twice and is terminated at once: both loads' cleanup runs.
  const terminated = new Worker(__filename);
  await new Promise((resolve) => setTimeout(resolve, 20));
  await terminated.terminate();
  process.stdout.write(`${JSON.stringify({ main: mainResult, worker: workerResult })}\n`);
}

main().catch((error) => {
  process.stderr.write(`${error?.stack ?? error}\n`);
  process.exit(1);
});
