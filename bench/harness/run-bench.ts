// One run of the benchmark: the single-thread baseline, then the concurrent mix on our tables
// and on each peer, the same workload on the same threads; writes the report as JSON and an
// SVG chart. The command line is bench/main.ts.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Baseline } from './baseline';
import { renderChart } from '../report/chart';
import { baselineFigures, PhaseFigures, phaseFigures, Spread, spread } from '../report/figures';
import type { LatencySummary } from './latency';
import { provenance } from '../report/provenance';
import { PhaseResult, runPhase } from './run-phase';
import type { BenchOptions } from './options';
import { BenchReport, correctnessFailures, evaluateTargets, peerRatios } from '../report/results';
import { ImplName } from '../peers/types';
import { Mode, modeLabel } from './roles/common';

export interface BenchOutput {
  report: BenchReport;
  jsonFile: string;
  svgFile: string;
}

/** The single-thread baseline of both table kinds, each in a fresh worker (bench/harness/baseline-worker.ts). */
async function baselines(options: BenchOptions): Promise<{ array: Baseline; hash: Baseline }> {
  const one = (kind: 'array' | 'hash'): Promise<Baseline> =>
    new Promise((resolve, reject) => {
      const worker = new Worker(path.join(__dirname, 'baseline-worker.js'), { workerData: { kind, keys: options.keys, batch: options.batch } });
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`bench: the ${kind} baseline worker exited with code ${code} before reporting`)));
    });
  const array = await one('array');
  const hash = await one('hash');
  return { array, hash };
}

/** The phases of a run: every implementation at every thread count under the full mix, plus
 * ours with the updater alone and with no writers (the readers-vs-writer target). */
function plan(options: BenchOptions): Array<{ impl: ImplName; readers: number; mode: Mode }> {
  const phases: Array<{ impl: ImplName; readers: number; mode: Mode }> = [];
  for (const readers of options.threads) {
    for (const impl of options.impls) {
      phases.push({ impl, readers, mode: 'mix' });
      if (impl === 'redirect-table') {
        phases.push({ impl, readers, mode: 'writer' });
        phases.push({ impl, readers, mode: 'quiet' });
      }
    }
  }
  return phases;
}

/** Every round: the baseline (unless --no-baseline), then every planned phase once. */
async function runRounds(options: BenchOptions, log: (text: string) => void): Promise<{ rounds: Array<{ array: Baseline; hash: Baseline }>; phases: PhaseResult[] }> {
  const rounds: Array<{ array: Baseline; hash: Baseline }> = [];
  const phases: PhaseResult[] = [];
  const planned = plan(options);
  const tty = process.stdout.isTTY === true;
  const total = planned.length * options.repeats;
  // Round by round, every phase once: a slow stretch of the machine hits every implementation,
  // not one of them.
  for (let round = 1; round <= options.repeats; round += 1) {
    if (options.baseline) {
      log(`bench: round ${round}/${options.repeats}: single-thread baseline on a quiet table...\n`);
      rounds.push(await baselines(options));
    }
    for (const [i, p] of planned.entries()) {
      const n = (round - 1) * planned.length + i + 1;
      const heading = `bench: round ${round}/${options.repeats}, phase ${n}/${total}`;
      if (!tty) log(`${heading}: ${p.impl}${modeLabel(p.mode)}, ${p.readers} reader(s)\n`);
      const result = await runPhase({
        impl: p.impl,
        readers: p.readers,
        duration: options.duration,
        phase: n,
        options: {
          keys: options.keys,
          batch: options.batch,
          rate: options.rate,
          deleteRate: options.deleteRate,
          churnMs: options.churnMs,
          pool: options.pool,
          mode: p.mode,
        },
        onProgress: tty ? (line) => log(`\r\x1b[K${heading}: ${line}`) : undefined,
      });
      phases.push({ ...result, round });
    }
  }
  if (tty) log('\r\x1b[K');
  return { rounds, phases };
}

export async function runBench(options: BenchOptions, log: (text: string) => void = () => {}): Promise<BenchOutput> {
  const date = new Date().toISOString();
  const cpus = os.cpus();
  if (options.threads.some((t) => t > os.availableParallelism())) {
    log(`bench: note: more reader threads than cores (${os.availableParallelism()}) were asked for\n`);
  }
  const { rounds, phases } = await runRounds(options, log);
  const figures = phaseFigures(phases);
  const baseline = baselineFigures(rounds);
  const ratios = peerRatios(figures);
  const report: BenchReport = {
    date,
    provenance: provenance(),
    machine: { cpus: cpus.length, model: cpus[0]?.model ?? 'unknown', node: process.version, platform: `${os.platform()} ${os.release()}` },
    options: { ...options },
    rounds: options.repeats,
    baselines: rounds,
    baseline,
    phases,
    figures,
    ratios,
    targets: evaluateTargets(baseline, figures, ratios),
    failures: correctnessFailures(phases),
  };
  const jsonFile = options.out ?? path.join(__dirname, '..', '..', '..', 'bench', 'results', `bench-${date.replace(/[:.]/g, '-')}.json`);
  const svgFile = jsonFile.replace(/\.json$/, '') + '.svg';
  fs.mkdirSync(path.dirname(jsonFile), { recursive: true });
  // NaN (a percentile from too few samples) is written as null.
  fs.writeFileSync(jsonFile, `${JSON.stringify(report, (_, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n`);
  fs.writeFileSync(svgFile, chartOf(report));
  return { report, jsonFile, svgFile };
}

function chartOf(report: BenchReport): string {
  const series = (value: (p: PhaseFigures) => Spread) => {
    const name = (p: PhaseFigures): string => `${p.impl}${modeLabel(p.mode)}`;
    const names = [...new Set(report.figures.map(name))];
    return names.map((n) => ({
      name: n,
      points: report.figures
        .filter((p) => name(p) === n)
        .map((p) => {
          const v = value(p);
          return { threads: p.readers, value: v.median / 1e6, min: v.min / 1e6, max: v.max / 1e6 };
        }),
    }));
  };
  // Control-plane latency: a percentile per round, so the bar is the median round's and the
  // error bar the others; the tooltip gives the samples behind it.
  const latency = (pick: (p: PhaseResult) => LatencySummary | undefined, percentile: 'p50' | 'p99', scale: number) => {
    const name = (p: PhaseFigures): string => `${p.impl}${modeLabel(p.mode)}`;
    const mixed = report.figures.filter((f) => f.mode === 'mix');
    return [...new Set(mixed.map(name))].map((n) => ({
      name: n,
      points: mixed
        .filter((f) => name(f) === n)
        .map((f) => {
          const runs = report.phases.filter((p) => p.impl === f.impl && p.readers === f.readers && p.mode === f.mode).map(pick);
          const have = runs.filter((l): l is LatencySummary => l !== undefined);
          const v = spread(have.map((l) => l[percentile] / scale));
          const samples = have.reduce((total, l) => total + l.samples, 0);
          return { threads: f.readers, value: v.median, min: v.min, max: v.max, note: `${samples} samples over ${have.length} rounds` };
        }),
    }));
  };
  const { machine } = report;
  return renderChart(
    `redirect-table vs peers under the concurrent mix: medians of ${report.rounds} rounds, error bars min-max`,
    [
      { title: 'per-call get, all reader threads', unit: 'M calls/s', series: series((p) => p.get) },
      { title: 'batched redirect, frames delivered into device rings, all reader threads', unit: 'M frames/s', series: series((p) => p.delivered) },
      { title: 'set latency p99 (hover a bar for its sample count)', unit: 'µs', series: latency((p) => p.updater?.latency.set, 'p99', 1) },
      { title: 'unregister() to resolved, p50 (hover a bar for its sample count)', unit: 'ms', series: latency((p) => p.churner.latency.unregister, 'p50', 1000) },
    ],
    `${machine.model}, ${machine.cpus} cores, Node ${machine.node}, ${report.date}`
  );
}
