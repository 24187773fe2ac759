// One run of the benchmark: the single-thread baseline, then the concurrent mix on our tables
// and on each peer, the same workload on the same threads; writes the report as JSON and an
// SVG chart. The command line is bench/main.ts.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Namespace, RedirectHashTable, RedirectTable } from '../lib';
import { Baseline, measureBaseline } from './baseline';
import { renderChart } from './chart';
import { provenance } from './provenance';
import { PhaseResult, runPhase } from './harness/run-phase';
import type { BenchOptions } from './options';
import { BenchReport, correctnessFailures, evaluateTargets, peerRatios } from './report';
import { ImplName } from './impls/types';
import { Mode, modeLabel } from './roles/common';

export interface BenchOutput {
  report: BenchReport;
  jsonFile: string;
  svgFile: string;
}

async function baselines(options: BenchOptions): Promise<{ array: Baseline; hash: Baseline }> {
  const devices = Array.from({ length: 16 }, (_, i) => Namespace.root.createDevice(`base${process.pid % 1000}-${i}`, { ringSize: 1 << 16 }));
  const array = new RedirectTable({ maxEntries: options.keys });
  const hash = new RedirectHashTable({ maxEntries: options.keys });
  for (let key = 0; key < options.keys; key += 1) {
    if (key % 4 === 3) continue; // three keys in four hold an entry, as in the concurrent mix
    array.set(key, devices[key % devices.length].ifindex);
    hash.set(key, devices[key % devices.length].ifindex);
  }
  const result = { array: measureBaseline(array, devices, options.batch), hash: measureBaseline(hash, devices, options.batch) };
  await Promise.all([array.close(), hash.close()]);
  await Promise.all(devices.map((d) => d.unregister()));
  return result;
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

export async function runBench(options: BenchOptions, log: (text: string) => void = () => {}): Promise<BenchOutput> {
  const date = new Date().toISOString();
  const cpus = os.cpus();
  if (options.threads.some((t) => t > os.availableParallelism())) {
    log(`bench: note: more reader threads than cores (${os.availableParallelism()}) were asked for\n`);
  }
  let baseline: BenchReport['baseline'] = null;
  if (options.baseline) {
    log('bench: single-thread baseline on a quiet table...\n');
    baseline = await baselines(options);
  }
  const phases: PhaseResult[] = [];
  const planned = plan(options);
  const tty = process.stdout.isTTY === true;
  for (const [i, p] of planned.entries()) {
    const heading = `bench: phase ${i + 1}/${planned.length}`;
    if (!tty) log(`${heading}: ${p.impl}${modeLabel(p.mode)}, ${p.readers} reader(s)\n`);
    const result = await runPhase({
      impl: p.impl,
      readers: p.readers,
      duration: options.duration,
      phase: i,
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
    phases.push(result);
  }
  if (tty) log('\r\x1b[K');
  const ratios = peerRatios(phases);
  const report: BenchReport = {
    date,
    provenance: provenance(),
    machine: { cpus: cpus.length, model: cpus[0]?.model ?? 'unknown', node: process.version, platform: `${os.platform()} ${os.release()}` },
    options: { ...options },
    baseline,
    phases,
    ratios,
    targets: evaluateTargets(baseline, phases, ratios),
    failures: correctnessFailures(phases),
  };
  const jsonFile = options.out ?? path.join(__dirname, '..', '..', 'bench', 'results', `bench-${date.replace(/[:.]/g, '-')}.json`);
  const svgFile = jsonFile.replace(/\.json$/, '') + '.svg';
  fs.mkdirSync(path.dirname(jsonFile), { recursive: true });
  fs.writeFileSync(jsonFile, `${JSON.stringify(report, null, 2)}\n`);
  fs.writeFileSync(svgFile, chartOf(report));
  return { report, jsonFile, svgFile };
}

function chartOf(report: BenchReport): string {
  const series = (value: (p: PhaseResult) => number) => {
    const name = (p: PhaseResult): string => `${p.impl}${modeLabel(p.mode)}`;
    const names = [...new Set(report.phases.map(name))];
    return names.map((n) => ({
      name: n,
      points: report.phases
        .filter((p) => name(p) === n)
        .map((p) => ({ threads: p.readers, value: value(p) / 1e6 })),
    }));
  };
  const { machine } = report;
  return renderChart(
    'redirect-table vs peers: reader throughput under the concurrent mix',
    [
      { title: 'per-call get, all reader threads', unit: 'M calls/s', series: series((p) => p.getPerSecond) },
      { title: 'batched redirect (frames offered), all reader threads', unit: 'M frames/s', series: series((p) => p.framesOfferedPerSecond) },
    ],
    `${machine.model}, ${machine.cpus} cores, Node ${machine.node}, ${report.date}`
  );
}
