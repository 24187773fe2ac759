// The soak's verdict on memory: how RSS moves once the process has warmed up, per minute and per
// million operations, against the budget documented in the README ("Memory in long runs").

export interface MemorySample {
  /** minutes since the run began */
  minute: number;
  rssMiB: number;
  /** memoryUsage().total: bytes the package's native core holds */
  nativeBytes: number;
  /** operations done so far (gets, frames offered, writes, unregistrations), cumulative */
  ops: number;
}

export const BUDGET = {
  /** RSS at the end over RSS just after the warm-up, minus one */
  growthAfterWarmup: 0.1,
  /** RSS at the end over RSS at the start */
  endOverStart: 2,
};

export interface GrowthReport {
  startRssMiB: number;
  /** median RSS over the minute after the warm-up */
  afterWarmupRssMiB: number;
  /** median RSS of the last three samples */
  endRssMiB: number;
  growthAfterWarmup: number;
  endOverStart: number;
  /** least-squares slopes over the samples after the warm-up */
  mibPerMinute: number;
  kibPerMillionOps: number;
  /** samples after the warm-up: fewer than 3 and growth is not judged */
  judgedSamples: number;
  failures: string[];
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 === 1 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function slope(xs: number[], ys: number[]): number {
  const n = xs.length;
  if (n < 2) return NaN;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i += 1) {
    num += (xs[i] - mx) * (ys[i] - my);
    den += (xs[i] - mx) ** 2;
  }
  return den === 0 ? NaN : num / den;
}

/** `samples[0]` is taken before the first phase; `nativeBaseline` is what the package held then
 * (the root namespace): every later sample must be back at it, since nothing is alive between
 * phases. */
export function analyseGrowth(samples: MemorySample[], warmupMinutes: number, nativeBaseline: number): GrowthReport {
  const failures: string[] = [];
  const start = samples[0];
  const after = samples.filter((s) => s.minute >= warmupMinutes);
  const firstMinute = after.filter((s) => s.minute < after[0]?.minute + 1);
  const afterWarmupRssMiB = median(firstMinute.map((s) => s.rssMiB));
  const endRssMiB = median(samples.slice(-3).map((s) => s.rssMiB));
  const report: GrowthReport = {
    startRssMiB: start.rssMiB,
    afterWarmupRssMiB,
    endRssMiB,
    growthAfterWarmup: endRssMiB / afterWarmupRssMiB - 1,
    endOverStart: endRssMiB / start.rssMiB,
    mibPerMinute: slope(after.map((s) => s.minute), after.map((s) => s.rssMiB)),
    kibPerMillionOps: slope(after.map((s) => s.ops / 1e6), after.map((s) => s.rssMiB * 1024)),
    judgedSamples: after.length,
    failures,
  };
  for (const s of samples.slice(1)) {
    if (s.nativeBytes !== nativeBaseline) {
      failures.push(`native memory after the phase ending at minute ${s.minute.toFixed(2)}: ${s.nativeBytes} bytes, ${nativeBaseline} before the first phase`);
    }
  }
  if (after.length >= 3) {
    if (report.growthAfterWarmup > BUDGET.growthAfterWarmup) {
      failures.push(`RSS grew ${(report.growthAfterWarmup * 100).toFixed(1)}% after the warm-up (budget ${BUDGET.growthAfterWarmup * 100}%)`);
    }
    if (report.endOverStart > BUDGET.endOverStart) {
      failures.push(`RSS ended at ${report.endOverStart.toFixed(2)}x the start (budget ${BUDGET.endOverStart}x)`);
    }
  }
  return report;
}
