// The control plane's cost to the event loop: how long unregister(), destroy() and moveTo() keep the
// calling thread (the call itself, "blocked") and how long until their Promise resolves, on
// large tables. Timed with hrtime around each call, RUNS times per scenario; medians reported.
import { Namespace, RedirectTable } from '../../lib';

export interface PurgeResult {
  name: string;
  /** milliseconds the call kept the calling thread, per run */
  blockedMs: number[];
  /** milliseconds from the call to its Promise resolving, per run */
  resolvedMs: number[];
}

export const PURGE_CASE_NAMES = [
  'purge: unregister a device filling a 1M-slot table',
  'purge: unregister an unrelated device, empty 16M-slot table alive',
  'purge: destroy a namespace of 1,000 devices, 1M-slot table alive',
  'purge: moveTo of a device filling a 1M-slot table',
];

const RUNS = 5;
const MILLION = 1_000_000;

const sinceMs = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e6;

/** Times `start()` (blocked) and the Promise it returns (resolved). */
async function time(start: () => Promise<void>): Promise<[number, number]> {
  const t0 = process.hrtime.bigint();
  const done = start();
  const blocked = sinceMs(t0);
  await done;
  return [blocked, sinceMs(t0)];
}

async function fillAndUnregister(tag: string): Promise<[number, number]> {
  const dev = Namespace.root.createDevice(tag);
  const table = new RedirectTable({ maxEntries: MILLION });
  table.setBatch(Uint32Array.from({ length: MILLION }, (_, i) => i), new Int32Array(MILLION).fill(dev.ifindex));
  const timing = await time(() => dev.unregister());
  await table.close();
  return timing;
}

async function unregisterBesideLargeTable(tag: string): Promise<[number, number]> {
  const big = new RedirectTable({ maxEntries: 1 << 24 }); // alive, empty: no entry is the device's
  const dev = Namespace.root.createDevice(tag);
  const timing = await time(() => dev.unregister());
  await big.close();
  return timing;
}

async function destroyNamespace(tag: string): Promise<[number, number]> {
  const ns = new Namespace(tag);
  const table = new RedirectTable({ maxEntries: MILLION, namespace: ns });
  for (let i = 0; i < 1000; i += 1) table.set(i * 997, ns.createDevice(`d${i}`).ifindex);
  const timing = await time(() => ns.destroy());
  await table.close();
  return timing;
}

async function fillAndMove(tag: string): Promise<[number, number]> {
  const dev = Namespace.root.createDevice(tag);
  const target = new Namespace(`${tag}ns`);
  const table = new RedirectTable({ maxEntries: MILLION });
  table.setBatch(Uint32Array.from({ length: MILLION }, (_, i) => i), new Int32Array(MILLION).fill(dev.ifindex));
  const timing = await time(() => dev.moveTo(target));
  await table.close();
  await target.destroy();
  return timing;
}

/** Runs the scenarios whose names `selected` accepts. */
export async function runPurges(selected: (name: string) => boolean): Promise<PurgeResult[]> {
  const tag = `pg${process.pid % 100000}`;
  const scenarios: Array<[string, (run: number) => Promise<[number, number]>]> = [
    [PURGE_CASE_NAMES[0], (run) => fillAndUnregister(`${tag}f${run}`)],
    [PURGE_CASE_NAMES[1], (run) => unregisterBesideLargeTable(`${tag}u${run}`)],
    [PURGE_CASE_NAMES[2], (run) => destroyNamespace(`${tag}d${run}`)],
    [PURGE_CASE_NAMES[3], (run) => fillAndMove(`${tag}m${run}`)],
  ];
  const results: PurgeResult[] = [];
  for (const [name, scenario] of scenarios) {
    if (!selected(name)) continue;
    const result: PurgeResult = { name, blockedMs: [], resolvedMs: [] };
    for (let run = 0; run < RUNS; run += 1) {
      const [blocked, resolved] = await scenario(run);
      result.blockedMs.push(blocked);
      result.resolvedMs.push(resolved);
    }
    results.push(result);
  }
  return results;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** One line per scenario: median (min-max) over the runs, and the run count. */
export function formatPurge(r: PurgeResult, nameWidth: number): string {
  const spread = (v: number[]): string =>
    `${median(v).toFixed(2)} (${Math.min(...v).toFixed(2)}-${Math.max(...v).toFixed(2)})`;
  return `${r.name.padEnd(nameWidth)}  blocked ms ${spread(r.blockedMs)}  resolved ms ${spread(r.resolvedMs)}  n=${r.blockedMs.length}`;
}
