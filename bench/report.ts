// The benchmark's report: what a run measured, the targets met and missed, and the tables a
// person reads on the terminal.
import type { Baseline } from './baseline';
import type { PhaseResult } from './harness/run-phase';
import type { LatencySummary } from './harness/latency';
import type { Provenance } from './provenance';
import { ImplName, IMPLEMENTATIONS, isOurs } from './impls/types';
import { Mode, modeLabel } from './roles/common';

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
  /** ours / peer, per-call get calls per second */
  get: number;
  /** ours / peer, batched redirect frames offered per second */
  redirect: number;
}

export interface BenchReport {
  date: string;
  /** package version, git commit, Node, CPU */
  provenance: Provenance;
  machine: { cpus: number; model: string; node: string; platform: string };
  options: Record<string, unknown>;
  baseline: { array: Baseline; hash: Baseline } | null;
  phases: PhaseResult[];
  ratios: PeerRatio[];
  targets: Target[];
  /** our tables' correctness failures (the run exits non-zero when there is any) */
  failures: string[];
}

const ours = (phases: PhaseResult[], readers: number, mode: Mode = 'mix'): PhaseResult | undefined =>
  phases.find((p) => p.impl === 'redirect-table' && p.readers === readers && p.mode === mode);

export function peerRatios(phases: PhaseResult[]): PeerRatio[] {
  const ratios: PeerRatio[] = [];
  for (const p of phases) {
    const mine = ours(phases, p.readers);
    if (p.mode !== 'mix' || isOurs(p.impl) || mine === undefined) continue;
    ratios.push({ peer: p.impl, readers: p.readers, get: mine.getPerSecond / p.getPerSecond, redirect: mine.framesOfferedPerSecond / p.framesOfferedPerSecond });
  }
  return ratios;
}

export function evaluateTargets(baseline: BenchReport['baseline'], phases: PhaseResult[], ratios: PeerRatio[]): Target[] {
  const targets: Target[] = [];
  const x = (n: number): string => `${n.toFixed(2)}x`;
  if (baseline !== null) {
    const b = baseline.array;
    const getRatio = b.getNs / b.noopNs;
    targets.push({ name: 'per-call get ≤ 1.5x the no-op native call', measured: `${b.getNs.toFixed(1)} ns / ${b.noopNs.toFixed(1)} ns = ${x(getRatio)}`, met: getRatio <= 1.5 });
    const batchRatio = b.getBatchNsPerKey / b.plainLoopNsPerKey;
    const keysPerSecond = 1e9 / b.getBatchNsPerKey;
    targets.push({
      name: 'batched get within 3x of a plain native loop and ≥ 300 M keys/s per thread',
      measured: `${b.getBatchNsPerKey.toFixed(2)} ns / ${b.plainLoopNsPerKey.toFixed(2)} ns = ${x(batchRatio)}, ${(keysPerSecond / 1e6).toFixed(0)} M keys/s`,
      met: batchRatio <= 3 && keysPerSecond >= 300e6,
    });
    const framesPerSecond = 1e9 / b.redirectNsPerFrame;
    targets.push({
      name: 'batched redirect ≥ 100 M frames/s per thread (single thread, quiet table)',
      measured: `${(framesPerSecond / 1e6).toFixed(1)} M frames/s`,
      met: framesPerSecond >= 100e6,
    });
  }
  for (const busy of phases.filter((p) => p.impl === 'redirect-table' && p.mode === 'writer')) {
    const quiet = ours(phases, busy.readers, 'quiet');
    if (quiet === undefined || busy.updater === undefined) continue;
    const get = busy.getPerSecond / quiet.getPerSecond;
    const redirect = busy.framesOfferedPerSecond / quiet.framesOfferedPerSecond;
    const rate = busy.updater.ops / busy.updater.seconds;
    targets.push({
      name: `reader throughput with a writer at ${(rate / 1000).toFixed(0)}k sets/s ≥ 0.9x without (${busy.readers} reader${busy.readers === 1 ? '' : 's'})`,
      measured: `get ${x(get)}, redirect ${x(redirect)}`,
      met: get >= 0.9 && redirect >= 0.9,
    });
    const mix = ours(phases, busy.readers);
    if (mix !== undefined) {
      targets.push({
        name: `the full mix (writer, deleter, device and namespace churn) vs no writers, ${busy.readers} reader${busy.readers === 1 ? '' : 's'}`,
        measured: `get ${x(mix.getPerSecond / quiet.getPerSecond)}, redirect ${x(mix.framesOfferedPerSecond / quiet.framesOfferedPerSecond)}`,
        met: true,
        informational: true,
      });
    }
  }
  for (const r of ratios.filter((q) => q.peer.startsWith('native-'))) {
    targets.push({
      name: `faster than ${r.peer} on the concurrent mix (${r.readers} reader${r.readers === 1 ? '' : 's'})`,
      measured: `get ${x(r.get)}, redirect ${x(r.redirect)}`,
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

const MODES: Mode[] = ['mix', 'writer', 'quiet'];
const phaseName = (p: PhaseResult): string => `${p.impl}${modeLabel(p.mode)}`;
const order = (a: PhaseResult, b: PhaseResult): number =>
  a.readers - b.readers || IMPLEMENTATIONS.indexOf(a.impl) - IMPLEMENTATIONS.indexOf(b.impl) || MODES.indexOf(a.mode) - MODES.indexOf(b.mode);

export function formatReport(report: BenchReport): string {
  const lines: string[] = [];
  const { machine } = report;
  lines.push('', `redirect-table bench — ${machine.model}, ${machine.cpus} cores, Node ${machine.node}, ${report.date}`);
  if (report.baseline !== null) {
    lines.push('', 'single thread, quiet table (ns per call, per key, per frame):');
    const row = (kind: string, b: Baseline): string[] => [
      kind,
      b.noopNs.toFixed(1),
      b.echoNs.toFixed(1),
      b.getNs.toFixed(1),
      `${(b.getNs / b.noopNs).toFixed(2)}x`,
      b.getBatchNsPerKey.toFixed(2),
      b.plainLoopNsPerKey.toFixed(2),
      `${(b.getBatchNsPerKey / b.plainLoopNsPerKey).toFixed(2)}x`,
      b.redirectNsPerFrame.toFixed(2),
      m(1e9 / b.redirectNsPerFrame),
    ];
    lines.push(
      grid([
        ['table', 'no-op call', 'echo(n)', 'get', 'get/no-op', 'getBatch/key', 'plain loop/key', 'batch/plain', 'redirect/frame', 'M frames/s'],
        row('array', report.baseline.array),
        row('hash', report.baseline.hash),
      ])
    );
    const f = report.baseline.array.flushScaling;
    lines.push(
      `flush cost follows what is pending, not the table's size: 3-destination batches cost ${f.smallTableNsPerFrame.toFixed(2)} ns/frame ` +
        `on 16 slots, ${f.largeTableNsPerFrame.toFixed(2)} ns/frame on 1,000,000 slots`
    );
  }
  const phases = [...report.phases].sort(order);
  lines.push('', 'concurrent mix: readers (per-call get, then batched redirect) while an updater sets, a deleter deletes');
  lines.push('and compare-and-deletes, and a churner replaces devices (throughput summed over the readers; redirect counts');
  lines.push('frames offered, whose share that found an entry, the hit rate, follows what the writers left in the table):');
  lines.push(
    grid([
      ['implementation', 'readers', 'get M/s', 'redirect M frames/s', 'hit', 'accepted M/s', 'sets/s', 'deletes/s', 'devices replaced', 'namespaces'],
      ...phases.map((p) => [
        phaseName(p),
        String(p.readers),
        m(p.getPerSecond),
        m(p.framesOfferedPerSecond),
        `${(100 * p.redirectHitRate).toFixed(0)}%`,
        m(p.framesPerSecond),
        p.updater === undefined ? '-' : k(p.updater.ops / p.updater.seconds),
        p.deleter === undefined ? '-' : k(p.deleter.ops / p.deleter.seconds),
        String(p.churner.unregistrations),
        String(p.churner.namespacesDestroyed),
      ]),
    ])
  );
  lines.push('', 'control-plane latency, p50 / p99 / p999 (n = samples; "-" where too few for the percentile; set, delete, compareAndDelete in µs; unregister→resolved in ms):');
  lines.push(
    grid([
      ['implementation', 'readers', 'set µs', 'delete µs', 'compareAndDelete µs', 'unregister ms', 'namespace destroy ms'],
      ...phases
        .filter((p) => p.mode !== 'quiet')
        .map((p) => [
          phaseName(p),
          String(p.readers),
          pct(p.updater?.latency.set, us),
          pct(p.deleter?.latency.delete, us),
          pct(p.deleter?.latency.compareAndDelete, us),
          pct(p.churner.latency.unregister, ms),
          pct(p.churner.latency.namespaceDestroy, ms),
        ]),
    ])
  );
  lines.push('', 'correctness (must be 0 / ok for redirect-table; what the peers get wrong):');
  lines.push(
    grid([
      ['implementation', 'readers', 'reads checked', 'stale reads', 'reads after unregister', 'frames after unregister', 'frames accepted', 'received', 'dropped', 'conserved'],
      ...phases.map((p) => {
        const c = p.correctness;
        return [
          phaseName(p),
          String(p.readers),
          String(c.readsChecked),
          String(c.staleReads),
          String(c.readsAfterUnregister),
          String(c.framesAfterUnregister),
          String(c.framesAccepted),
          String(c.framesReceived),
          String(c.framesDropped),
          c.conserved ? 'ok' : 'NO',
        ];
      }),
    ])
  );
  if (report.ratios.length !== 0) {
    lines.push('', 'redirect-table vs each peer (ours / theirs, same workload, same threads; > 1 means ours is faster):');
    lines.push(grid([['peer', 'readers', 'per-call get', 'batched redirect'], ...report.ratios.map((r) => [r.peer, String(r.readers), `${r.get.toFixed(2)}x`, `${r.redirect.toFixed(2)}x`])]));
  }
  lines.push('', 'targets:');
  for (const t of report.targets) lines.push(`  ${t.informational ? 'info  ' : t.met ? 'met   ' : 'MISSED'}  ${t.name}: ${t.measured}`);
  lines.push('', report.failures.length === 0 ? 'correctness of redirect-table: ok' : `correctness of redirect-table: FAILED\n  ${report.failures.join('\n  ')}`);
  return `${lines.join('\n')}\n`;
}
