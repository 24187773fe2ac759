// The benchmark's report: what a run measured, the targets met and missed, and the tables a
// person reads on the terminal.
import type { Baseline } from '../harness/baseline';
import type { PhaseResult } from '../harness/run-phase';
import type { LatencySummary } from '../harness/latency';
import type { Provenance } from './provenance';
import { BaselineFigures, formatSpread, overlaps, PhaseFigures, Spread, spread } from './figures';
import { ImplName, isOurs } from '../peers/types';
import { Mode, modeLabel, WriterResult } from '../harness/roles/common';

export interface Target {
  name: string;
  /** the measured figure and the bound, in words */
  measured: string;
  met: boolean;
  /** not a target: a figure printed next to the targets for context */
  informational?: boolean;
}

export interface PeerRatio {
  peer: ImplName;
  readers: number;
  /** ours / peer, medians of per-call get calls per second */
  get: number;
  /** ours / peer, medians of delivered frames per second (batched redirect) */
  redirect: number;
  /** the min-max spreads of the two sides overlap: the ratio may be noise */
  getOverlaps: boolean;
  redirectOverlaps: boolean;
}

export interface BenchReport {
  date: string;
  /** package version, git commit, Node, CPU */
  provenance: Provenance;
  machine: { cpus: number; model: string; node: string; platform: string };
  options: Record<string, unknown>;
  /** rounds run; in each, every phase once, implementations interleaved */
  rounds: number;
  /** the single-thread baseline of every round */
  baselines: Array<{ array: Baseline; hash: Baseline }>;
  baseline: BaselineFigures | null;
  /** every phase of every round, in the order run (`round` set) */
  phases: PhaseResult[];
  /** each phase over the rounds */
  figures: PhaseFigures[];
  ratios: PeerRatio[];
  targets: Target[];
  /** our tables' correctness failures (the run exits non-zero when there is any) */
  failures: string[];
}

const ours = (figures: PhaseFigures[], readers: number, mode: Mode = 'mix'): PhaseFigures | undefined =>
  figures.find((p) => p.impl === 'redirect-table' && p.readers === readers && p.mode === mode);

export function peerRatios(figures: PhaseFigures[]): PeerRatio[] {
  const ratios: PeerRatio[] = [];
  for (const p of figures) {
    const mine = ours(figures, p.readers);
    if (p.mode !== 'mix' || isOurs(p.impl) || mine === undefined) continue;
    ratios.push({
      peer: p.impl,
      readers: p.readers,
      get: mine.get.median / p.get.median,
      redirect: mine.delivered.median / p.delivered.median,
      getOverlaps: overlaps(mine.get, p.get),
      redirectOverlaps: overlaps(mine.delivered, p.delivered),
    });
  }
  return ratios;
}

const x = (n: number): string => `${n.toFixed(2)}x`;
const overlapNote = (overlap: boolean): string => (overlap ? ' (spreads overlap)' : '');

/** Targets are judged on medians; the measured text gives the spreads, and says when those of
 * the two sides compared overlap. */
export function evaluateTargets(baseline: BaselineFigures | null, figures: PhaseFigures[], ratios: PeerRatio[]): Target[] {
  const targets: Target[] = [];
  if (baseline !== null) {
    const b = baseline.array;
    targets.push({
      name: 'per-call get ≤ 0.5x the no-op native call (it makes none)',
      measured: `${formatSpread(b.getNs, (n) => n.toFixed(1))} ns / ${formatSpread(b.noopNs, (n) => n.toFixed(1))} ns = ${formatSpread(b.getOverNoop, x)}`,
      met: b.getOverNoop.median <= 0.5,
    });
    const keysPerSecond = 1e9 / b.getBatchNsPerKey.median;
    targets.push({
      name: 'batched get within 1.5x of a plain native loop and ≥ 300 M keys/s per thread',
      measured: `${formatSpread(b.getBatchNsPerKey, (n) => n.toFixed(2))} ns / ${formatSpread(b.plainLoopNsPerKey, (n) => n.toFixed(2))} ns = ${formatSpread(b.batchOverPlain, x)}, ${(keysPerSecond / 1e6).toFixed(0)} M keys/s`,
      met: b.batchOverPlain.median <= 1.5 && keysPerSecond >= 300e6,
    });
    const framesPerSecond = 1e9 / b.redirectNsPerFrame.median;
    targets.push({
      name: 'batched redirect ≥ 100 M frames/s per thread (single thread, quiet table)',
      measured: `${(framesPerSecond / 1e6).toFixed(1)} M frames/s (${formatSpread(b.redirectNsPerFrame, (n) => n.toFixed(2))} ns/frame)`,
      met: framesPerSecond >= 100e6,
    });
  }
  for (const busy of figures.filter((p) => p.impl === 'redirect-table' && p.mode === 'writer')) {
    const quiet = ours(figures, busy.readers, 'quiet');
    if (quiet === undefined) continue;
    const get = busy.get.median / quiet.get.median;
    const redirect = busy.offered.median / quiet.offered.median;
    const readers = `${busy.readers} reader${busy.readers === 1 ? '' : 's'}`;
    targets.push({
      name: `reader throughput with a writer ≥ 0.9x without (${readers})`,
      measured: `get ${x(get)}${overlapNote(overlaps(busy.get, quiet.get))}, redirect (offered) ${x(redirect)}${overlapNote(overlaps(busy.offered, quiet.offered))}`,
      met: get >= 0.9 && redirect >= 0.9,
    });
    const mix = ours(figures, busy.readers);
    if (mix !== undefined) {
      targets.push({
        name: `the full mix (writer, deleter, device and namespace churn) vs no writers, ${readers}`,
        measured: `get ${x(mix.get.median / quiet.get.median)}${overlapNote(overlaps(mix.get, quiet.get))}, redirect (offered) ${x(mix.offered.median / quiet.offered.median)}${overlapNote(overlaps(mix.offered, quiet.offered))}`,
        met: true,
        informational: true,
      });
    }
  }
  for (const r of ratios.filter((q) => q.peer === 'js-sab-atomics')) {
    targets.push({
      name: `per-call get ≥ 3x the SharedArrayBuffer peer's on the concurrent mix (${r.readers} reader${r.readers === 1 ? '' : 's'})`,
      measured: `${x(r.get)}${overlapNote(r.getOverlaps)}`,
      met: r.get >= 3,
    });
  }
  for (const r of ratios.filter((q) => q.peer.startsWith('native-'))) {
    targets.push({
      name: `faster than ${r.peer} on the concurrent mix (${r.readers} reader${r.readers === 1 ? '' : 's'})`,
      measured: `get ${x(r.get)}${overlapNote(r.getOverlaps)}, redirect (delivered) ${x(r.redirect)}${overlapNote(r.redirectOverlaps)}`,
      met: r.get > 1 && r.redirect > 1,
    });
  }
  return targets;
}

/** Our tables must read nothing stale, send nothing after unregistration and conserve frames. */
export function correctnessFailures(phases: PhaseResult[]): string[] {
  const failures: string[] = [];
  for (const p of phases.filter((q) => isOurs(q.impl))) {
    const c = p.correctness;
    const where = `${p.impl}${modeLabel(p.mode)}, ${p.readers} readers`;
    if (c.staleReads !== 0) failures.push(`${where}: ${c.staleReads} stale reads (${c.examples.join('; ')})`);
    if (c.readsAfterUnregister !== 0) failures.push(`${where}: ${c.readsAfterUnregister} reads after unregistration`);
    if (c.framesAfterUnregister !== 0) failures.push(`${where}: ${c.framesAfterUnregister} frames after unregistration`);
    if (!c.conserved) failures.push(`${where}: frames not conserved: accepted ${c.framesAccepted}, received ${c.framesReceived}, dropped ${c.framesDropped}`);
  }
  return failures;
}

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

export function formatReport(report: BenchReport): string {
  const lines: string[] = [];
  const { machine, provenance } = report;
  lines.push(
    '',
    `redirect-table ${provenance.package.version} (${provenance.commit.slice(0, 12)}) bench — ${machine.model}, ${machine.cpus} cores, Node ${machine.node}, ${report.date}`,
    `${report.rounds} round${report.rounds === 1 ? '' : 's'}, implementations interleaved in each; figures are median (min-max) over the rounds`
  );
  const sp = (f: (n: number) => string) => (v: Spread): string => formatSpread(v, f);
  if (report.baseline !== null) {
    lines.push('', 'single thread, quiet table (ns per call, per key, per frame):');
    const row = (kind: string, b: Record<string, Spread>): string[] => [
      kind,
      sp((n) => n.toFixed(1))(b.noopNs),
      sp((n) => n.toFixed(1))(b.getNs),
      sp(x)(b.getOverNoop),
      sp((n) => n.toFixed(2))(b.getBatchNsPerKey),
      sp((n) => n.toFixed(2))(b.plainLoopNsPerKey),
      sp((n) => n.toFixed(2))(b.redirectNsPerFrame),
    ];
    lines.push(
      grid([
        ['table', 'no-op call', 'get', 'get/no-op', 'getBatch/key', 'plain loop/key', 'redirect/frame'],
        row('array', report.baseline.array),
        row('hash', report.baseline.hash),
      ])
    );
    const flush = report.baselines.map((b) => b.array.flushScaling);
    lines.push(
      `flush cost follows what is pending, not the table's size: 3-destination batches cost ${medianOf(flush.map((f) => f.smallTableNsPerFrame)).toFixed(2)} ns/frame ` +
        `on 16 slots, ${medianOf(flush.map((f) => f.largeTableNsPerFrame)).toFixed(2)} ns/frame on 1,000,000 slots (medians)`
    );
  }
  const figures = report.figures;
  lines.push('', 'concurrent mix: readers (per-call get, then batched redirect) while an updater sets, a deleter deletes');
  lines.push('and compare-and-deletes, and a churner replaces devices (throughput summed over the readers; redirect: frames');
  lines.push('delivered into a device ring that the main thread drains, frames offered (looked up) and the hit rate, the');
  lines.push('share of offered frames that found an entry). The writers keep the table three quarters full (the updater');
  lines.push('re-points entries, each delete is followed by a set of an empty key, the churner moves a device\'s entries');
  lines.push('to its replacement), so the hit rate is the same everywhere; and they keep one schedule (--rate, --delete-rate,');
  lines.push('--churn-ms): a starved writer slows the others with it. "late ms" is how far behind the clock the writers and');
  lines.push('the churner were when the phase ended (the churner waits for each unregistration to resolve):');
  const runsOf = (f: PhaseFigures): PhaseResult[] => report.phases.filter((p) => sameKey(p, f));
  const rate = (runs: PhaseResult[], pick: (p: PhaseResult) => WriterResult | undefined): string => {
    const rates = runs.map(pick).filter((w): w is WriterResult => w !== undefined).map((w) => w.ops / w.seconds);
    return rates.length === 0 ? '-' : k(medianOf(rates));
  };
  // Medians over the rounds of how far the writers (the later of the two) and the churner were
  // behind the schedule's clock when the phase stopped ("-": a results file from before it).
  const lateness = (runs: PhaseResult[]): string => {
    const late = (pick: (p: PhaseResult) => number | undefined): string => {
      const all = runs.map(pick);
      return all.some((n) => n === undefined) ? '-' : medianOf(all as number[]).toFixed(1);
    };
    const writers = late((p) => (p.updater === undefined && p.deleter === undefined ? 0 : Math.max(p.updater?.lagMs ?? 0, p.deleter?.lagMs ?? 0)));
    return `${writers} / ${late((p) => p.churner.lagMs)}`;
  };
  lines.push(
    grid([
      ['implementation', 'readers', 'get M/s', 'delivered M frames/s', 'offered M frames/s', 'hit', 'sets/s', 'deletes/s', 'devices replaced', 'late ms: writers / churner'],
      ...figures.map((f) => {
        const runs = runsOf(f);
        return [
          phaseName(f),
          String(f.readers),
          sp(m)(f.get),
          sp(m)(f.delivered),
          sp(m)(f.offered),
          sp((n) => `${(100 * n).toFixed(0)}%`)(f.hitRate),
          rate(runs, (p) => p.updater),
          rate(runs, (p) => p.deleter),
          String(runs.reduce((n, p) => n + p.churner.unregistrations, 0)),
          lateness(runs),
        ];
      }),
    ])
  );
  lines.push('', 'control-plane latency over the rounds, p50 / p99 / p999 (medians of the rounds\' percentiles; n = samples; "-" where too few):');
  lines.push('set, delete, compareAndDelete in µs; unregister→resolved and namespace destroy in ms');
  lines.push(
    grid([
      ['implementation', 'readers', 'set µs', 'delete µs', 'compareAndDelete µs', 'unregister ms', 'namespace destroy ms'],
      ...figures
        .filter((f) => f.mode !== 'quiet')
        .map((f) => {
          const runs = runsOf(f);
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
    ])
  );
  lines.push('', 'correctness over every round (must be 0 / ok for redirect-table; what the peers get wrong):');
  lines.push(
    grid([
      ['implementation', 'readers', 'reads checked', 'stale reads', 'reads after unregister', 'frames after unregister', 'frames accepted', 'received', 'dropped', 'conserved'],
      ...figures.map((f) => {
        const runs = runsOf(f);
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
    ])
  );
  if (report.ratios.length !== 0) {
    lines.push('', 'redirect-table vs each peer (ours / theirs, medians, same workload and threads; > 1: ours is faster; * spreads overlap):');
    lines.push(
      grid([
        ['peer', 'readers', 'per-call get', 'batched redirect (delivered)'],
        ...report.ratios.map((r) => [r.peer, String(r.readers), `${x(r.get)}${r.getOverlaps ? '*' : ''}`, `${x(r.redirect)}${r.redirectOverlaps ? '*' : ''}`]),
      ])
    );
  }
  lines.push('', 'targets (judged on medians):');
  for (const t of report.targets) lines.push(`  ${t.informational ? 'info  ' : t.met ? 'met   ' : 'MISSED'}  ${t.name}: ${t.measured}`);
  lines.push('', report.failures.length === 0 ? 'correctness of redirect-table: ok' : `correctness of redirect-table: FAILED\n  ${report.failures.join('\n  ')}`);
  return `${lines.join('\n')}\n`;
}
