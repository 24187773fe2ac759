// The tables a person reads on the terminal after a benchmark run (what the run measured and
// judged: report/results.ts).
import type { PhaseResult } from '../harness/run-phase';
import type { LatencySummary } from '../harness/latency';
import { formatSpread, PhaseFigures, Spread, spread } from './figures';
import type { ImplName } from '../peers/types';
import { Mode, modeLabel, WriterResult } from '../harness/roles/common';
import { BenchReport, x } from './results';

const m = (n: number): string => (Number.isFinite(n) ? (n / 1e6).toFixed(2) : 'n/a');
const k = (n: number): string => (Number.isFinite(n) ? `${(n / 1e3).toFixed(1)}k` : 'n/a');
const us = (n: number | undefined): string => (n === undefined || !Number.isFinite(n) ? '-' : n < 100 ? n.toFixed(1) : n.toFixed(0));
const ms = (n: number | undefined): string => (n === undefined || !Number.isFinite(n) ? '-' : (n / 1000).toFixed(2));
// Percentiles and, after them, the samples they come from; "-" where too few samples.
const pct = (l: LatencySummary | undefined, f: (n: number | undefined) => string): string =>
  l === undefined ? '-' : `${f(l.p50)} / ${f(l.p99)} / ${f(l.p999)} (n=${l.samples})`;

function grid(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ')).join('\n');
}

const phaseName = (p: { impl: ImplName; mode: Mode }): string => `${p.impl}${modeLabel(p.mode)}`;
const sameKey = (a: PhaseResult, f: PhaseFigures): boolean => a.impl === f.impl && a.readers === f.readers && a.mode === f.mode;
const medianOf = (xs: number[]): number => spread(xs).median;

/** Latency over the rounds: the median of each percentile, and every sample counted. */
function latencyOver(runs: Array<LatencySummary | undefined>): LatencySummary | undefined {
  const have = runs.filter((l): l is LatencySummary => l !== undefined);
  if (have.length === 0) return undefined;
  return {
    count: have.reduce((n, l) => n + l.count, 0),
    samples: have.reduce((n, l) => n + l.samples, 0),
    p50: medianOf(have.map((l) => l.p50)),
    p99: medianOf(have.map((l) => l.p99)),
    p999: medianOf(have.map((l) => l.p999)),
    max: Math.max(...have.map((l) => l.max)),
  };
}

const sp = (f: (n: number) => string) => (v: Spread): string => formatSpread(v, f);

/** What was run, where, and how the figures are summarised. */
function headerLines(report: BenchReport): string[] {
  const { machine, provenance } = report;
  return [
    '',
    `redirect-table ${provenance.package.version} (${provenance.commit.slice(0, 12)}) bench — ${machine.model}, ${machine.cpus} cores, Node ${machine.node}, ${report.date}`,
    `${report.rounds} round${report.rounds === 1 ? '' : 's'}, implementations interleaved in each; figures are median (min-max) over the rounds`,
  ];
}

/** The single-thread baseline of both table kinds and the flush-cost line (none without a baseline). */
function baselineLines(report: BenchReport): string[] {
  if (report.baseline === null) return [];
  const row = (kind: string, b: Record<string, Spread>): string[] => [
    kind,
    sp((n) => n.toFixed(1))(b.noopNs),
    sp((n) => n.toFixed(1))(b.getNs),
    sp(x)(b.getOverNoop),
    sp((n) => n.toFixed(2))(b.getBatchNsPerKey),
    sp((n) => n.toFixed(2))(b.plainLoopNsPerKey),
    sp((n) => n.toFixed(2))(b.redirectNsPerFrame),
  ];
  const flush = report.baselines.map((b) => b.array.flushScaling);
  return [
    '',
    'single thread, quiet table (ns per call, per key, per frame):',
    grid([
      ['table', 'no-op call', 'get', 'get/no-op', 'getBatch/key', 'plain loop/key', 'redirect/frame'],
      row('array', report.baseline.array),
      row('hash', report.baseline.hash),
    ]),
    `flush cost follows what is pending, not the table's size: 3-destination batches cost ${medianOf(flush.map((f) => f.smallTableNsPerFrame)).toFixed(2)} ns/frame ` +
      `on 16 slots, ${medianOf(flush.map((f) => f.largeTableNsPerFrame)).toFixed(2)} ns/frame on 1,000,000 slots (medians)`,
  ];
}

/** Every round's run of the phase `f` summarises. */
const runsOf = (report: BenchReport, f: PhaseFigures): PhaseResult[] => report.phases.filter((p) => sameKey(p, f));

/** Median ops per second of a writer over the runs ("-" where it did not run). */
function writerRate(runs: PhaseResult[], pick: (p: PhaseResult) => WriterResult | undefined): string {
  const rates = runs.map(pick).filter((w): w is WriterResult => w !== undefined).map((w) => w.ops / w.seconds);
  return rates.length === 0 ? '-' : k(medianOf(rates));
}

/** Medians over the rounds of how far the writers (the later of the two) and the churner were
 * behind the schedule's clock when the phase stopped ("-": a results file from before it). */
function lateness(runs: PhaseResult[]): string {
  const late = (pick: (p: PhaseResult) => number | undefined): string => {
    const all = runs.map(pick);
    return all.some((n) => n === undefined) ? '-' : medianOf(all as number[]).toFixed(1);
  };
  const writers = late((p) => (p.updater === undefined && p.deleter === undefined ? 0 : Math.max(p.updater?.lagMs ?? 0, p.deleter?.lagMs ?? 0)));
  return `${writers} / ${late((p) => p.churner.lagMs)}`;
}

/** The concurrent mix: throughput per implementation and thread count, with the writers' rates. */
function throughputLines(report: BenchReport): string[] {
  return [
    '',
    'concurrent mix: readers (per-call get, then batched redirect) while an updater sets, a deleter deletes',
    'and compare-and-deletes, and a churner replaces devices (throughput summed over the readers; redirect: frames',
    'delivered into a device ring that the main thread drains, frames offered (looked up) and the hit rate, the',
    'share of offered frames that found an entry). The writers keep the table three quarters full (the updater',
    're-points entries, each delete is followed by a set of an empty key, the churner moves a device\'s entries',
    'to its replacement), so the hit rate is the same everywhere; and they keep one schedule (--rate, --delete-rate,',
    '--churn-ms): a starved writer slows the others with it. "late ms" is how far behind the clock the writers and',
    'the churner were when the phase ended (the churner waits for each unregistration to resolve):',
    grid([
      ['implementation', 'readers', 'get M/s', 'delivered M frames/s', 'offered M frames/s', 'hit', 'sets/s', 'deletes/s', 'devices replaced', 'late ms: writers / churner'],
      ...report.figures.map((f) => {
        const runs = runsOf(report, f);
        return [
          phaseName(f),
          String(f.readers),
          sp(m)(f.get),
          sp(m)(f.delivered),
          sp(m)(f.offered),
          sp((n) => `${(100 * n).toFixed(0)}%`)(f.hitRate),
          writerRate(runs, (p) => p.updater),
          writerRate(runs, (p) => p.deleter),
          String(runs.reduce((n, p) => n + p.churner.unregistrations, 0)),
          lateness(runs),
        ];
      }),
    ]),
  ];
}

/** Control-plane latency percentiles of every phase with writers. */
function latencyLines(report: BenchReport): string[] {
  return [
    '',
    'control-plane latency over the rounds, p50 / p99 / p999 (medians of the rounds\' percentiles; n = samples; "-" where too few):',
    'set, delete, compareAndDelete in µs; unregister→resolved and namespace destroy in ms',
    grid([
      ['implementation', 'readers', 'set µs', 'delete µs', 'compareAndDelete µs', 'unregister ms', 'namespace destroy ms'],
      ...report.figures
        .filter((f) => f.mode !== 'quiet')
        .map((f) => {
          const runs = runsOf(report, f);
          return [
            phaseName(f),
            String(f.readers),
            pct(latencyOver(runs.map((p) => p.updater?.latency.set)), us),
            pct(latencyOver(runs.map((p) => p.deleter?.latency.delete)), us),
            pct(latencyOver(runs.map((p) => p.deleter?.latency.compareAndDelete)), us),
            pct(latencyOver(runs.map((p) => p.churner.latency.unregister)), ms),
            pct(latencyOver(runs.map((p) => p.churner.latency.namespaceDestroy)), ms),
          ];
        }),
    ]),
  ];
}

/** The correctness counters of every phase, summed over the rounds. */
function correctnessLines(report: BenchReport): string[] {
  return [
    '',
    'correctness over every round (must be 0 / ok for redirect-table; what the peers get wrong):',
    grid([
      ['implementation', 'readers', 'reads checked', 'stale reads', 'reads after unregister', 'frames after unregister', 'frames accepted', 'received', 'dropped', 'conserved'],
      ...report.figures.map((f) => {
        const runs = runsOf(report, f);
        const sum = (pick: (c: PhaseResult['correctness']) => number): string => String(runs.reduce((n, p) => n + pick(p.correctness), 0));
        return [
          phaseName(f),
          String(f.readers),
          sum((c) => c.readsChecked),
          sum((c) => c.staleReads),
          sum((c) => c.readsAfterUnregister),
          sum((c) => c.framesAfterUnregister),
          sum((c) => c.framesAccepted),
          sum((c) => c.framesReceived),
          sum((c) => c.framesDropped),
          runs.every((p) => p.correctness.conserved) ? 'ok' : 'NO',
        ];
      }),
    ]),
  ];
}

/** Ours over each peer (none when no peer ran). */
function ratioLines(report: BenchReport): string[] {
  if (report.ratios.length === 0) return [];
  return [
    '',
    'redirect-table vs each peer (ours / theirs, medians, same workload and threads; > 1: ours is faster; * spreads overlap):',
    grid([
      ['peer', 'readers', 'per-call get', 'batched redirect (delivered)'],
      ...report.ratios.map((r) => [r.peer, String(r.readers), `${x(r.get)}${r.getOverlaps ? '*' : ''}`, `${x(r.redirect)}${r.redirectOverlaps ? '*' : ''}`]),
    ]),
  ];
}

/** The targets, met or missed, and the correctness verdict. */
function verdictLines(report: BenchReport): string[] {
  return [
    '',
    'targets (judged on medians):',
    ...report.targets.map((t) => `  ${t.informational ? 'info  ' : t.met ? 'met   ' : 'MISSED'}  ${t.name}: ${t.measured}`),
    '',
    report.failures.length === 0 ? 'correctness of redirect-table: ok' : `correctness of redirect-table: FAILED\n  ${report.failures.join('\n  ')}`,
  ];
}

/** The tables a person reads on the terminal after a run. */
export function formatReport(report: BenchReport): string {
  const lines = [
    ...headerLines(report),
    ...baselineLines(report),
    ...throughputLines(report),
    ...latencyLines(report),
    ...correctnessLines(report),
    ...ratioLines(report),
    ...verdictLines(report),
  ];
  return `${lines.join('\n')}\n`;
}
