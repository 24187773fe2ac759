// A figure measured over several rounds: its median, its spread (min-max) and every run's value;
// and the figures of a whole run, by name, for the report, the chart and --compare.
import type { Baseline } from '../harness/baseline';
import type { PhaseResult } from '../harness/run-phase';
import { ImplName, IMPLEMENTATIONS } from '../peers/types';
import { Mode, modeLabel } from '../harness/roles/common';

export interface Spread {
  median: number;
  min: number;
  max: number;
  /** every round's value, in round order */
  runs: number[];
}

export function spread(runs: number[]): Spread {
  const finite = runs.filter(Number.isFinite).sort((a, b) => a - b);
  const n = finite.length;
  const median = n === 0 ? NaN : n % 2 === 1 ? finite[(n - 1) / 2] : (finite[n / 2 - 1] + finite[n / 2]) / 2;
  return { median, min: n === 0 ? NaN : finite[0], max: n === 0 ? NaN : finite[n - 1], runs };
}

/** True when the two ranges share a value: the difference of their medians may be noise. */
export const overlaps = (a: Spread, b: Spread): boolean => a.min <= b.max && b.min <= a.max;

/** "12.3 (11.9-12.8)" with `format` applied to each number. */
export const formatSpread = (s: Spread, format: (n: number) => string): string =>
  s.runs.length <= 1 ? format(s.median) : `${format(s.median)} (${format(s.min)}-${format(s.max)})`;

/** One phase (implementation, readers, mode) over every round. */
export interface PhaseFigures {
  impl: ImplName;
  readers: number;
  mode: Mode;
  /** per-call get calls per second, summed over the readers */
  get: Spread;
  /** batched redirect: frames delivered into a device ring per second (accepted minus those
   * dropped on a full ring) */
  delivered: Spread;
  /** batched redirect: frames that found an entry (accepted) per second */
  accepted: Spread;
  /** batched redirect: frames offered (looked up) per second */
  offered: Spread;
  /** accepted / offered */
  hitRate: Spread;
}

const MODES: Mode[] = ['mix', 'writer', 'quiet'];

/** Accepted frames per second less the share that a full ring dropped. */
export function deliveredPerSecond(p: PhaseResult): number {
  const { framesAccepted, framesDropped } = p.correctness;
  return framesAccepted === 0 ? 0 : p.framesPerSecond * (1 - framesDropped / framesAccepted);
}
const phaseKey = (p: { impl: ImplName; readers: number; mode: Mode }): string => `${p.impl}${modeLabel(p.mode)}|${p.readers}`;

/** The figures of every phase of a run, ordered by readers, implementation and mode. */
export function phaseFigures(phases: PhaseResult[]): PhaseFigures[] {
  const groups = new Map<string, PhaseResult[]>();
  for (const p of phases) {
    const key = phaseKey(p);
    groups.set(key, [...(groups.get(key) ?? []), p]);
  }
  return [...groups.values()]
    .map((runs) => ({
      impl: runs[0].impl,
      readers: runs[0].readers,
      mode: runs[0].mode,
      get: spread(runs.map((r) => r.getPerSecond)),
      delivered: spread(runs.map(deliveredPerSecond)),
      accepted: spread(runs.map((r) => r.framesPerSecond)),
      offered: spread(runs.map((r) => r.framesOfferedPerSecond)),
      hitRate: spread(runs.map((r) => r.redirectHitRate)),
    }))
    .sort(
      (a, b) =>
        a.readers - b.readers || IMPLEMENTATIONS.indexOf(a.impl) - IMPLEMENTATIONS.indexOf(b.impl) || MODES.indexOf(a.mode) - MODES.indexOf(b.mode)
    );
}

/** Each single-thread baseline figure over the rounds, by table kind. */
export type BaselineFigures = Record<'array' | 'hash', Record<BaselineFigure, Spread>>;
export type BaselineFigure = 'noopNs' | 'echoNs' | 'getNs' | 'getBatchNsPerKey' | 'plainLoopNsPerKey' | 'redirectNsPerFrame' | 'getOverNoop' | 'batchOverPlain';

export function baselineFigures(rounds: Array<{ array: Baseline; hash: Baseline }>): BaselineFigures | null {
  if (rounds.length === 0) return null;
  const of = (kind: 'array' | 'hash'): Record<BaselineFigure, Spread> => {
    const pick = (f: (b: Baseline) => number): Spread => spread(rounds.map((r) => f(r[kind])));
    return {
      noopNs: pick((b) => b.noopNs),
      echoNs: pick((b) => b.echoNs),
      getNs: pick((b) => b.getNs),
      getBatchNsPerKey: pick((b) => b.getBatchNsPerKey),
      plainLoopNsPerKey: pick((b) => b.plainLoopNsPerKey),
      redirectNsPerFrame: pick((b) => b.redirectNsPerFrame),
      getOverNoop: pick((b) => b.getNs / b.noopNs),
      batchOverPlain: pick((b) => b.getBatchNsPerKey / b.plainLoopNsPerKey),
    };
  };
  return { array: of('array'), hash: of('hash') };
}

/** Every figure of a run by a stable name ("array get ns", "redirect-table, 2 readers: get/s"),
 * with whether larger is better: what --compare lines up between two results files. */
export function namedFigures(baseline: BaselineFigures | null, phases: PhaseFigures[]): Map<string, { value: Spread; higherIsBetter: boolean }> {
  const named = new Map<string, { value: Spread; higherIsBetter: boolean }>();
  if (baseline !== null) {
    for (const kind of ['array', 'hash'] as const) {
      const b = baseline[kind];
      named.set(`${kind} get ns`, { value: b.getNs, higherIsBetter: false });
      named.set(`${kind} getBatch ns/key`, { value: b.getBatchNsPerKey, higherIsBetter: false });
      named.set(`${kind} redirect ns/frame`, { value: b.redirectNsPerFrame, higherIsBetter: false });
    }
  }
  for (const p of phases) {
    const name = `${p.impl}${modeLabel(p.mode)}, ${p.readers} reader${p.readers === 1 ? '' : 's'}`;
    named.set(`${name}: get/s`, { value: p.get, higherIsBetter: true });
    named.set(`${name}: delivered frames/s`, { value: p.delivered, higherIsBetter: true });
    named.set(`${name}: accepted frames/s`, { value: p.accepted, higherIsBetter: true });
    named.set(`${name}: offered frames/s`, { value: p.offered, higherIsBetter: true });
  }
  return named;
}
