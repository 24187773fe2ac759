// The conntrack garbage-collection race (cilium/cilium#46298).
// Worker threads keep flows alive through the datapath while a collector expires idle ones,
// once with a naive collector (snapshot, decide, delete by key) and once with the conditional one
// (snapshot, decide, compareAndDeleteBatch with revisions and lastUsed). It counts the live
// flows each one deleted wrongly: flows hit after the snapshot the collector decided on, and
// before its delete (hits recorded before the delete is issued; a flow re-created after its
// deletion is a new flow, not a wrong deletion).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { parseGcRaceOptions } from './options';
import { Namespace, RedirectHashTable, RedirectTable } from '../../lib';

export interface CollectorResult {
  kind: 'array' | 'hash';
  collector: 'naive' | 'conditional';
  runs: number;
  deleted: number;
  busy: number;
  wronglyDeleted: number;
  hits: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

type RaceOptions = { seconds: number; flows: number; workers: number; idleMs: number; decideMs: number };
type Snapshot = ReturnType<RedirectTable['snapshot']>;

/** The refresher threads, each keeping its share of the flows alive until `control[0]` is set;
 * each promise resolves to that thread's datapath hits. */
function startRefreshers(table: RedirectTable, ifindex: number, options: RaceOptions, control: Int32Array, lastTouch: Float64Array): Array<Promise<number>> {
  const per = Math.ceil(options.flows / options.workers);
  return Array.from({ length: options.workers }, (_, w) => {
    const worker = new Worker(path.join(__dirname, 'refresher.js'), {
      workerData: {
        tableId: table.id,
        first: w * per,
        count: Math.max(0, Math.min(per, options.flows - w * per)),
        idleMs: options.idleMs,
        ifindex,
        control,
        lastTouch,
      },
    });
    return new Promise<number>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
  });
}

/** The naive collector's deletes: by key, whatever happened since the snapshot. */
function collectNaive(table: RedirectTable, snap: Snapshot, idle: number[], lastTouch: Float64Array, result: CollectorResult): void {
  for (const i of idle) {
    const touched = lastTouch[snap.keys[i]]; // hits recorded before this delete
    if (table.delete(snap.keys[i])) {
      result.deleted += 1;
      if (touched > snap.lastUsed[i]) result.wronglyDeleted += 1;
    }
  }
}

/** The conditional collector's deletes: one compareAndDeleteBatch with the snapshot's revisions
 * and lastUsed. */
function collectConditional(table: RedirectTable, snap: Snapshot, idle: number[], lastTouch: Float64Array, result: CollectorResult): void {
  const touched = Float64Array.from(idle, (i) => lastTouch[snap.keys[i]]);
  const statuses = new Int32Array(idle.length);
  table.compareAndDeleteBatch(
    Uint32Array.from(idle, (i) => snap.keys[i]),
    Float64Array.from(idle, (i) => snap.revisions[i]),
    Float64Array.from(idle, (i) => snap.lastUsed[i]),
    statuses
  );
  idle.forEach((i, j) => {
    if (statuses[j] === 0) {
      result.deleted += 1;
      if (touched[j] > snap.lastUsed[i]) result.wronglyDeleted += 1;
    } else if (statuses[j] === -16) {
      result.busy += 1;
    }
  });
}

async function race(kind: CollectorResult['kind'], collector: CollectorResult['collector'], options: RaceOptions): Promise<CollectorResult> {
  const device = Namespace.root.createDevice(`gc${process.pid % 10000}-${kind[0]}${collector.slice(0, 4)}`, {
    ringSize: 1 << 16,
  });
  const table =
    kind === 'hash' ? new RedirectHashTable({ maxEntries: options.flows }) : new RedirectTable({ maxEntries: options.flows });
  for (let key = 0; key < options.flows; key += 1) table.set(key, device.ifindex);
  const control = new Int32Array(new SharedArrayBuffer(4));
  const lastTouch = new Float64Array(new SharedArrayBuffer(8 * options.flows));
  const workers = startRefreshers(table, device.ifindex, options, control, lastTouch);
  const result: CollectorResult = { kind, collector, runs: 0, deleted: 0, busy: 0, wronglyDeleted: 0, hits: 0 };
  const drained = new Uint32Array(1 << 16);
  const end = Date.now() + options.seconds * 1000;
  while (Date.now() < end) {
    const snap = table.snapshot();
    const now = RedirectTable.clock();
    const idle: number[] = [];
    for (let i = 0; i < snap.keys.length; i += 1) if (now - snap.lastUsed[i] >= options.idleMs) idle.push(i);
    await sleep(options.decideMs); // a real collector does work between its snapshot and its deletes
    (collector === 'naive' ? collectNaive : collectConditional)(table, snap, idle, lastTouch, result);
    result.runs += 1;
    while (device.receive(drained) !== 0);
    await sleep(1);
  }
  Atomics.store(control, 0, 1);
  result.hits = (await Promise.all(workers)).reduce((a, b) => a + b, 0);
  await table.close();
  await device.unregister();
  return result;
}

/** Runs the race for each table kind and collector; the report goes to `write`. */
export async function runGcRace(argv: string[], write: (text: string) => void = (text) => process.stdout.write(text)): Promise<CollectorResult[]> {
  const { out: outOption, ...options } = parseGcRaceOptions(argv);
  const results: CollectorResult[] = [];
  for (const kind of ['array', 'hash'] as const) {
    for (const collector of ['naive', 'conditional'] as const) results.push(await race(kind, collector, options));
  }
  const lines = [
    `gc-race: ${options.flows} flows, ${options.workers} refresher thread(s), idle after ${options.idleMs} ms, ${options.decideMs} ms between snapshot and deletes, ${options.seconds} s per collector`,
    'table  collector    runs  deleted   busy  live flows wrongly deleted  datapath hits',
    ...results.map(
      (r) =>
        `${r.kind.padEnd(6)} ${r.collector.padEnd(11)} ${String(r.runs).padStart(5)} ${String(r.deleted).padStart(8)} ${String(r.busy).padStart(6)} ${String(r.wronglyDeleted).padStart(27)} ${String(r.hits).padStart(14)}`
    ),
  ];
  write(`${lines.join('\n')}\n`);
  const out = outOption ?? path.join(__dirname, '..', '..', '..', 'bench', 'results', `gc-race-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, `${JSON.stringify({ options, results }, null, 2)}\n`);
  write(`results: ${path.relative(process.cwd(), out)}\n`);
  return results;
}
