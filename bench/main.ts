// `npm run bench`: reader worker threads do per-call and batched lookups, then batched frame
// redirects, on one table while this thread sets, deletes and batch-sets entries, creates and
// unregisters devices and drains the devices' rings. Prints lookups/s and frames/s per thread,
// the inconsistent reads seen and frame conservation (both must hold), and writes a JSON file.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { Device, Namespace, RedirectHashTable, RedirectTable } from '../lib';
import { measureBaseline } from './baseline';
import { formatReport, BenchReport } from './report';
import { BenchShared, createBenchShared, deviceNumber, markSet, PHASE, ReaderResult } from './shared';

const HELP = `Usage: npm run bench -- [options]

  --duration <s>     seconds per phase (per-call get, getBatch, redirect) [4]
  --readers <n>      reader worker threads                          [${os.availableParallelism()}]
  --keys <n>         table size (maxEntries)                        [1024]
  --batch <n>        keys per getBatch / frames per redirect call   [256]
  --devices <n>      live devices the entries point at              [16]
  --rate <ops/s>     control-plane updates per second, 0 = flat out  [100000]
  --unregister-ms <ms>  unregister (and replace) a device every    [20]
  --out <file>       results JSON                                   [bench/results/bench-<time>.json]
  --help             this text
`;

type Options = {
  duration: number;
  readers: number;
  keys: number;
  batch: number;
  devices: number;
  unregisterMs: number;
  rate: number;
  out: string | undefined;
};

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      duration: { type: 'string', default: '4' },
      readers: { type: 'string', default: String(os.availableParallelism()) },
      keys: { type: 'string', default: '1024' },
      batch: { type: 'string', default: '256' },
      devices: { type: 'string', default: '16' },
      'unregister-ms': { type: 'string', default: '20' },
      rate: { type: 'string', default: '100000' },
      out: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    process.exit(0);
  }
  const num = (name: string, value: string, min: number, max: number): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < min || n > max) {
      process.stderr.write(`bench: --${name} must be a number from ${min} to ${max}\n${HELP}`);
      process.exit(2);
    }
    return n;
  };
  return {
    duration: num('duration', values.duration, 0.2, 600),
    readers: Math.floor(num('readers', values.readers, 1, 256)),
    keys: Math.floor(num('keys', values.keys, 1, 1 << 20)),
    batch: Math.floor(num('batch', values.batch, 1, 1 << 16)),
    devices: Math.floor(num('devices', values.devices, 1, 4096)),
    unregisterMs: num('unregister-ms', values['unregister-ms'], 1, 60_000),
    rate: num('rate', values.rate, 0, 1e9),
    out: values.out,
  };
}

/** Every device the run created, for the conservation sums at the end. */
const everyDevice: Device[] = [];
const drainIds = new Uint32Array(8192);
let framesReceived = 0;

function drainRings(): void {
  for (const dev of everyDevice) {
    for (let n = dev.receive(drainIds); n > 0; n = dev.receive(drainIds)) framesReceived += n;
  }
}

interface ControlStats {
  sets: number;
  deletes: number;
  batchSets: number;
  unregisters: number;
  unregisterMs: number[];
  seconds: number;
}

/** The control plane: runs until `stop` resolves; updates, deletes, device churn. */
async function controlPlane(
  table: RedirectTable,
  shared: BenchShared,
  options: Options,
  stopAt: () => boolean
): Promise<ControlStats> {
  const stats: ControlStats = { sets: 0, deletes: 0, batchSets: 0, unregisters: 0, unregisterMs: [], seconds: 0 };
  // Ifindexes cached next to the devices: the loop below reads them millions of times.
  const live: Array<{ device: Device; ifindex: number }> = [];
  let serial = 0;
  const spawn = (): void => {
    const dev = Namespace.root.createDevice(`bench${process.pid % 10000}-${serial++}`.slice(0, 15));
    if (shared.base[0] === 0) Atomics.store(shared.base, 0, dev.ifindex);
    if (deviceNumber(shared, dev.ifindex) < 0) throw new Error('bench: more devices than the checker can track');
    live.push({ device: dev, ifindex: dev.ifindex });
    everyDevice.push(dev);
  };
  for (let i = 0; i < options.devices; i += 1) spawn();
  let rng = 0x2545f491;
  const random = (n: number): number => {
    rng ^= rng << 13;
    rng ^= rng >>> 17;
    rng ^= rng << 5;
    return (rng >>> 0) % n;
  };
  const mark = (key: number, ifindex: number): void => markSet(shared, key, deviceNumber(shared, ifindex));
  // Continues across phases: readers compare against the last announcement they saw.
  let announced = Atomics.load(shared.control, 1);
  const pending = new Set<Promise<void>>();
  let nextUnregister = performance.now() + options.unregisterMs;
  const batchKeys = new Uint32Array(8);
  const batchIfindexes = new Int32Array(8);
  const start = performance.now();
  let ops = 0;

  while (!stopAt()) {
    if (options.rate > 0 && ops >= ((performance.now() - start) / 1000) * options.rate) {
      await new Promise((resolve) => setTimeout(resolve, 1)); // ahead of the target rate
      continue;
    }
    ops += 256;
    for (let i = 0; i < 256; i += 1) {
      const key = random(table.maxEntries);
      const op = random(16);
      if (op < 10) {
        const { ifindex } = live[random(live.length)];
        mark(key, ifindex);
        table.set(key, ifindex);
        stats.sets += 1;
      } else if (op < 15) {
        table.delete(key);
        stats.deletes += 1;
      } else {
        for (let j = 0; j < batchKeys.length; j += 1) {
          batchKeys[j] = random(table.maxEntries);
          batchIfindexes[j] = live[random(live.length)].ifindex;
          mark(batchKeys[j], batchIfindexes[j]);
        }
        table.setBatch(batchKeys, batchIfindexes);
        stats.batchSets += 1;
      }
    }
    const now = performance.now();
    if (now >= nextUnregister) {
      nextUnregister = now + options.unregisterMs;
      const { device: victim, ifindex } = live.splice(random(live.length), 1)[0];
      const begun = performance.now();
      const done = victim.unregister().then(() => {
        stats.unregisterMs.push(performance.now() - begun);
        announced += 1;
        Atomics.store(shared.deathSeq, deviceNumber(shared, ifindex), announced);
        Atomics.store(shared.control, 1, announced);
        stats.unregisters += 1;
        pending.delete(done);
      });
      pending.add(done);
      spawn();
    }
    drainRings();
    await new Promise((resolve) => setImmediate(resolve)); // let completions run
  }
  await Promise.all(pending);
  stats.seconds = (performance.now() - start) / 1000;
  await Promise.all(live.map(({ device }) => device.unregister()));
  return stats;
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const table = new RedirectTable({ maxEntries: options.keys });
  const shared = createBenchShared(options.keys);
  process.stdout.write('bench: single-thread baseline on a quiet table...\n');
  const baselineDevices = Array.from({ length: options.devices }, (_, i) =>
    Namespace.root.createDevice(`base${process.pid % 10000}-${i}`.slice(0, 15), { ringSize: 1 << 16 })
  );
  // The same keys and devices in a hash table, measured next to the array table.
  const hashTable = new RedirectHashTable({ maxEntries: options.keys });
  for (let key = 0; key < options.keys; key += 4 / 3) {
    const k = Math.floor(key); // three keys in four hold an entry
    table.set(k, baselineDevices[k % baselineDevices.length].ifindex);
    hashTable.set(k, baselineDevices[k % baselineDevices.length].ifindex);
  }
  const baseline = measureBaseline(table, baselineDevices, options.batch);
  const hashBaseline = measureBaseline(hashTable, baselineDevices, options.batch);
  await hashTable.close();
  // Unregistering purges their entries: the concurrent run starts from an empty table.
  await Promise.all(baselineDevices.map((d) => d.unregister()));
  const workerFile = path.join(__dirname, 'reader-worker.js');
  const readers = Array.from({ length: options.readers }, (_, thread) => {
    const worker = new Worker(workerFile, { workerData: { tableId: table.id, shared, thread, batchSize: options.batch } });
    const ready = new Promise<void>((resolve) => worker.once('message', () => resolve()));
    const result = new Promise<ReaderResult>((resolve, reject) => {
      worker.on('message', (m: ReaderResult | { ready: true }) => {
        if (!('ready' in m)) resolve(m);
      });
      worker.once('error', reject);
      worker.once('exit', (code) => code !== 0 && reject(new Error(`reader ${thread} exited with ${code}`)));
    });
    return { ready, result };
  });
  await Promise.all(readers.map((r) => r.ready));

  const phases: Array<[number, string]> = [
    [PHASE.perCall, 'per-call get'],
    [PHASE.batched, `getBatch(${options.batch})`],
    [PHASE.redirect, `redirect(${options.batch} frames)`],
  ];
  const control: ControlStats[] = [];
  for (const [phase, label] of phases) {
    process.stdout.write(`bench: ${label}: ${options.readers} reader thread(s) for ${options.duration}s while this thread updates...\n`);
    Atomics.store(shared.control, 0, phase);
    Atomics.notify(shared.control, 0);
    const end = performance.now() + options.duration * 1000;
    control.push(await controlPlane(table, shared, options, () => performance.now() >= end));
  }
  Atomics.store(shared.control, 0, PHASE.stop);
  Atomics.notify(shared.control, 0);
  const results = await Promise.all(readers.map((r) => r.result));
  const tableStats = table.stats();
  await table.close();
  drainRings();
  let handed = 0;
  for (const dev of everyDevice) {
    const s = dev.stats();
    handed += s.txFrames + s.drops + s.errors;
  }
  const accepted = results.reduce((n, r) => n + r.redirect.hits, 0);
  const conservation = { accepted, received: framesReceived, handedToDevices: handed, ok: accepted === handed };

  const report: BenchReport = {
    date: new Date().toISOString(),
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model ?? 'unknown', node: process.version },
    options,
    baseline,
    hashBaseline,
    readers: results,
    tableStats,
    conservation,
    control,
  };
  process.stdout.write(formatReport(report));
  const out = options.out ?? path.join(__dirname, '..', '..', 'bench', 'results', `bench-${report.date.replace(/[:.]/g, '-')}.json`);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`results: ${path.relative(process.cwd(), out)}\n`);
  const inconsistent = results.reduce((n, r) => n + r.perCall.inconsistent + r.batched.inconsistent, 0);
  if (inconsistent !== 0) {
    process.stderr.write(`bench: ${inconsistent} inconsistent reads\n`);
    process.exitCode = 1;
  }
  if (!conservation.ok) {
    process.stderr.write(`bench: frame conservation broken: ${JSON.stringify(conservation)}\n`);
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
