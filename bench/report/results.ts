// The benchmark's report: what a run measured, and the targets met and missed (the tables a
// person reads on the terminal: report/tables.ts).
import type { Baseline } from '../harness/baseline';
import type { PhaseResult } from '../harness/run-phase';
import type { Provenance } from './provenance';
import { BaselineFigures, formatSpread, overlaps, PhaseFigures } from './figures';
import { ImplName, isOurs } from '../peers/types';
import { Mode, modeLabel } from '../harness/roles/common';

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

/** A ratio as printed: "1.23x". */
export const x = (n: number): string => `${n.toFixed(2)}x`;
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
