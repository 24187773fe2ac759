// Single-thread micro benchmarks with benchmark.js on a quiet table:
// the floor of a native call, per-call get/set/delete and batched getBatch/redirect at several
// batch sizes, on an array table and a hash table. Prints a table and writes
// bench/results/micro-<time>.json.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Benchmark from 'benchmark';
import { BATCH_SIZES, buildCases, DEVICE_COUNT, MAX_ENTRIES, MicroCase, MicroFixture, sinkValue } from './cases';
import { UsageError } from '../common/cli';
import { MicroOptions, parseMicroOptions } from './options';
import { formatPurge, PURGE_CASE_NAMES, PurgeResult, runPurges } from './purge';

export interface MicroResult {
  name: string;
  kind: string | null;
  op: string;
  /** keys or frames per call (batched cases), ops per call (delete+set pair: 2), else 1 */
  itemsPerCall: number;
  itemUnit: string;
  /** calls per second */
  hz: number;
  nsPerCall: number;
  nsPerItem: number;
  itemsPerSecond: number;
  /** relative margin of error of the mean, percent (99% confidence, benchmark.js) */
  rmePercent: number;
  samples: number;
  /** frames the devices dropped (ring full) during the case: 0 unless the rings overflowed */
  drops: number;
  counters: Record<string, number>;
  error?: string;
}

/** 3 significant digits ("12.3", "0.456"); integers from 1,000 up are printed whole. */
function sig3(x: number): string {
  if (!Number.isFinite(x)) return 'n/a';
  const rounded = Number(x.toPrecision(3));
  if (Math.abs(x) >= 1000) return String(Math.round(x));
  if (rounded === 0) return '0';
  const decimals = Math.max(0, 2 - Math.floor(Math.log10(Math.abs(rounded))));
  return rounded.toFixed(decimals);
}

/** With an SI prefix, 3 significant digits: "12.3 M". */
function si(x: number): string {
  if (!Number.isFinite(x)) return 'n/a';
  const rounded = Number(x.toPrecision(3));
  const units: Array<[number, string]> = [
    [1e9, ' G'],
    [1e6, ' M'],
    [1e3, ' k'],
  ];
  for (const [scale, unit] of units) if (Math.abs(rounded) >= scale) return `${sig3(rounded / scale)}${unit}`;
  return sig3(rounded);
}

interface Column {
  title: string;
  width: number;
  left?: boolean;
  cell: (r: MicroResult) => string;
}

function columns(nameWidth: number): Column[] {
  const batched = (r: MicroResult): boolean => r.itemUnit !== 'call';
  return [
    { title: 'case', width: nameWidth, left: true, cell: (r) => r.name },
    { title: 'calls/s', width: 9, cell: (r) => si(r.hz) },
    { title: 'ns/call', width: 9, cell: (r) => sig3(r.nsPerCall) },
    { title: 'ns per key/frame/op', width: 19, cell: (r) => (batched(r) ? `${sig3(r.nsPerItem)} ns/${r.itemUnit}` : '') },
    {
      title: 'keys|frames|ops/s',
      width: 18,
      cell: (r) => (batched(r) ? `${si(r.itemsPerSecond)} ${r.itemUnit}s/s` : ''),
    },
    { title: '±rme', width: 8, cell: (r) => `±${r.rmePercent.toFixed(2)}%` },
    { title: 'samples', width: 7, cell: (r) => String(r.samples) },
  ];
}

function row(cols: Column[], cells: string[]): string {
  return cols.map((c, i) => (c.left ? cells[i].padEnd(c.width) : cells[i].padStart(c.width))).join('  ').trimEnd();
}

/** The figures benchmark.js measured for one case, and what the case counted while it ran. */
function resultOf(c: MicroCase, bench: Benchmark, fixture: MicroFixture): MicroResult {
  const ok = !bench.error && bench.hz > 0;
  const nsPerCall = ok ? 1e9 / bench.hz : NaN;
  return {
    name: c.name,
    kind: c.kind ?? null,
    op: c.op,
    itemsPerCall: c.itemsPerCall,
    itemUnit: c.itemUnit,
    hz: ok ? bench.hz : NaN,
    nsPerCall,
    nsPerItem: nsPerCall / c.itemsPerCall,
    itemsPerSecond: ok ? bench.hz * c.itemsPerCall : NaN,
    rmePercent: bench.stats.rme,
    samples: bench.stats.sample.length,
    drops: fixture.newDrops(),
    counters: c.counters(),
    ...(bench.error ? { error: String((bench.error as Error).stack ?? bench.error) } : {}),
  };
}

/** Runs `cases` with benchmark.js, printing the column titles and then a row as each one ends
 * (the rings drained after each). */
function runSuite(fixture: MicroFixture, cases: MicroCase[], maxTime: number): MicroResult[] {
  const cols = columns(Math.max(...cases.map((c) => c.name.length), 4));
  if (cases.length !== 0) process.stdout.write(`${row(cols, cols.map((c) => c.title))}\n`);
  const byName = new Map<string, MicroCase>(cases.map((c) => [c.name, c]));
  const results: MicroResult[] = [];
  const suite = new Benchmark.Suite('redirect-table micro');
  for (const c of cases) suite.add(c.name, c.fn, { maxTime });
  suite.on('cycle', (event: Benchmark.Event) => {
    const bench = event.target as unknown as Benchmark;
    const c = byName.get(bench.name ?? '');
    if (c === undefined) return;
    fixture.drain();
    const result = resultOf(c, bench, fixture);
    results.push(result);
    process.stdout.write(`${row(cols, cols.map((col) => col.cell(result)))}\n`);
    if (result.error !== undefined) process.stderr.write(`micro: ${c.name} failed: ${result.error}\n`);
  });
  if (cases.length !== 0) suite.run({ async: false });
  return results;
}

/** Writes the results file (`--out`, else bench/results/micro-<time>.json); returns its path. */
function writeResults(options: MicroOptions, wallSeconds: number, results: MicroResult[], purges: PurgeResult[]): string {
  const cpus = os.cpus();
  const out =
    options.out ??
    path.join(__dirname, '..', '..', '..', 'bench', 'results', `micro-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const report = {
    suite: 'micro',
    date: new Date().toISOString(),
    node: process.version,
    v8: process.versions.v8,
    benchmarkJs: Benchmark.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    cpu: { model: cpus[0]?.model ?? 'unknown', count: cpus.length },
    options: { maxTime: options.maxTime, filter: options.filter?.source ?? null },
    fixture: { maxEntries: MAX_ENTRIES, devices: DEVICE_COUNT, setFraction: 0.75, batchSizes: BATCH_SIZES },
    wallSeconds,
    results,
    purges,
  };
  // NaN (a failed case) is written as null.
  fs.writeFileSync(out, `${JSON.stringify(report, (_, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n`);
  return out;
}

export async function runMicro(argv: string[]): Promise<{ results: MicroResult[]; purges: PurgeResult[]; out: string } | undefined> {
  const options = parseMicroOptions(argv);
  const { filter, maxTime } = options;

  const started = process.hrtime.bigint();
  const fixture = new MicroFixture();
  try {
    const all = buildCases(fixture);
    if (options.list) {
      process.stdout.write(`${[...all.map((c) => c.name), ...PURGE_CASE_NAMES].join('\n')}\n`);
      return undefined;
    }
    const selected = (name: string): boolean => filter === undefined || filter.test(name);
    const cases = all.filter((c) => selected(c.name));
    if (cases.length === 0 && !PURGE_CASE_NAMES.some(selected)) throw new UsageError(`--filter ${filter?.source} matches no case; --list shows them`);

    const cpus = os.cpus();
    process.stdout.write(
      `micro: node ${process.version}, ${cpus[0]?.model ?? 'unknown CPU'} x${cpus.length}, ` +
        `${cases.length} case(s), maxTime ${maxTime} s each; tables of ${MAX_ENTRIES} entries, 3 in 4 keys set ` +
        `to ${DEVICE_COUNT} devices; redirect drains the rings every 65,536 frames (included)\n`
    );
    const results = runSuite(fixture, cases, maxTime);
    const drops = results.reduce((a, r) => a + r.drops, 0);
    if (drops !== 0) process.stdout.write(`warning: the devices dropped ${drops} frames (rings full)\n`);

    const purges: PurgeResult[] = await runPurges(selected);
    const purgeWidth = Math.max(0, ...purges.map((r) => r.name.length));
    for (const r of purges) process.stdout.write(`${formatPurge(r, purgeWidth)}\n`);

    const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
    process.stdout.write(`wall time ${wallSeconds.toFixed(1)} s\n`);
    const out = writeResults(options, wallSeconds, results, purges);
    process.stdout.write(`results: ${path.relative(process.cwd(), out)}\n`);
    if (sinkValue() === -0.5) process.stdout.write('\n'); // keeps every result observable
    return { results, purges, out };
  } finally {
    await fixture.close();
  }
}
