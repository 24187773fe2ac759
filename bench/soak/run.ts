// One soak run (bench/soak.ts is its command line): the concurrent mix phase after phase
// with short-lived workers throughout; memory after each phase and the growth verdict.
import { Device, memoryUsage, Namespace, RedirectTable } from '../../lib';
import { native } from '../../lib/native';
import { PhaseResult, runPhase } from '../harness/run-phase';
import type { ImplName } from '../peers/types';
import { correctnessFailures } from '../report/results';
import { analyseGrowth, GrowthReport, MemorySample } from './growth';
import type { SoakOptions } from './options';
import { startWorkerChurn } from './worker-churn';

interface Sample extends MemorySample {
  heapUsedMiB: number;
  heapTotalMiB: number;
  liveTables: number;
  /** native devices and namespaces allocated and not yet freed */
  liveDevices: number;
  liveNamespaces: number;
}

const settle = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const mib = (n: number): number => Math.round((n / 2 ** 20) * 10) / 10;

/** Memory and live native objects once the phase's garbage is collected, its handles'
 * finalizers and grace periods have run, and the free pages its ended workers left in malloc
 * arenas have been handed back (the first trim after `trimsAtEnd`, at most 3 s). */
async function sample(start: number, ops: number, trimsAtEnd: number): Promise<Sample> {
  const gc = (globalThis as { gc?: () => void }).gc;
  for (let i = 0; i < 3; i += 1) {
    gc?.();
    await settle(100);
  }
  for (let waited = 0; native.arenaTrims().trims <= trimsAtEnd && waited < 3000; waited += 50) await settle(50);
  const m = process.memoryUsage();
  const live = native.liveObjects();
  return {
    minute: (performance.now() - start) / 60_000,
    rssMiB: mib(m.rss),
    heapUsedMiB: mib(m.heapUsed),
    heapTotalMiB: mib(m.heapTotal),
    nativeBytes: memoryUsage().total,
    ops,
    liveTables: native.liveTableCount(),
    liveDevices: live.devices,
    liveNamespaces: live.namespaces,
  };
}

function opsOf(result: PhaseResult): number {
  const readers = result.reader.reduce((n, r) => n + r.get.calls + r.redirect.offered, 0);
  return readers + (result.updater?.ops ?? 0) + (result.deleter?.ops ?? 0) + result.churner.unregistrations;
}

/** What the short-lived workers use; alive for the whole run, so part of the native baseline,
 * as is the main thread's own datapath state (warmed by one redirect). */
function churnTarget(): { table: RedirectTable; device: Device } {
  const table = new RedirectTable({ maxEntries: 64 });
  const device = Namespace.root.createDevice(`soak-${process.pid}`);
  table.set(0, device.ifindex);
  table.redirect(new Uint32Array([0]), new Uint32Array([0]), new Uint32Array([64]));
  device.receive(new Uint32Array(1), new Uint32Array(1));
  return { table, device };
}

/** The first line, the column titles and the starting sample's row. */
function printHeader(options: SoakOptions, first: Sample): void {
  const { minutes, phaseSeconds, warmup, workers, readers } = options;
  process.stdout.write(
    `soak: ${minutes} min, ${readers} readers, ${phaseSeconds} s phases, ${workers} short-lived workers/s, warm-up ${warmup} min; after each phase:\n`
  );
  process.stdout.write('minute  phase                 rss MiB  heap used/total  native KiB  live tables/devices/namespaces  ops M  workers  unregistrations\n');
  process.stdout.write(`${(0).toFixed(2).padStart(6)}  ${'start'.padEnd(19)}  ${first.rssMiB.toFixed(1).padStart(7)}  ${`${first.heapUsedMiB.toFixed(1)}/${first.heapTotalMiB.toFixed(1)}`.padStart(15)}  ${(first.nativeBytes / 1024).toFixed(1).padStart(10)}\n`);
}

/** The row of the sample `s` taken after a phase of `impl`. */
function printPhaseRow(s: Sample, impl: ImplName, ops: number, workersStarted: number, unregistrations: number): void {
  process.stdout.write(
    `${s.minute.toFixed(2).padStart(6)}  ${impl.padEnd(19)}  ${s.rssMiB.toFixed(1).padStart(7)}  ${`${s.heapUsedMiB.toFixed(1)}/${s.heapTotalMiB.toFixed(1)}`.padStart(15)}  ` +
      `${(s.nativeBytes / 1024).toFixed(1).padStart(10)}  ${`${s.liveTables}/${s.liveDevices}/${s.liveNamespaces}`.padStart(29)}  ` +
      `${(ops / 1e6).toFixed(0).padStart(5)}  ${String(workersStarted).padStart(7)}  ${String(unregistrations).padStart(15)}\n`
  );
}

/** RSS growth, native memory and live objects at the end, the arena trims. */
function printGrowth(growth: GrowthReport, last: Sample, nativeBaseline: number, ops: number, workersStarted: number): void {
  const trims = native.arenaTrims();
  process.stdout.write(
    `soak: RSS ${growth.startRssMiB} MiB at the start, ${growth.afterWarmupRssMiB} MiB after the warm-up, ${growth.endRssMiB} MiB at the end ` +
      `(${(growth.growthAfterWarmup * 100).toFixed(1)}% after the warm-up, ${growth.endOverStart.toFixed(2)}x the start)\n` +
      `soak: after the warm-up RSS moves ${growth.mibPerMinute.toFixed(2)} MiB per minute, ${growth.kibPerMillionOps.toFixed(2)} KiB per million operations ` +
      `(${(ops / 1e6).toFixed(0)} M operations, ${workersStarted} short-lived workers)\n` +
      `soak: native memory ${last.nativeBytes} bytes at the end, ${nativeBaseline} at the start; live native objects: ` +
      `${last.liveTables} tables, ${last.liveDevices} devices, ${last.liveNamespaces} namespaces\n` +
      `soak: free arena pages handed back ${trims.trims} times after workers ended (longest ${(trims.longestMicros / 1000).toFixed(1)} ms)\n`
  );
  if (growth.judgedSamples < 3) {
    process.stdout.write(`soak: growth not judged: ${growth.judgedSamples} samples after the warm-up (3 needed); run longer\n`);
  }
}

/** Runs the soak; resolves to the exit code (0 within budget, 1 otherwise). */
export async function runSoak(options: SoakOptions): Promise<number> {
  const { minutes, phaseSeconds, warmup, workers, readers } = options;
  const churnOn = churnTarget();

  const start = performance.now();
  const first = await sample(start, 0, -1);
  const nativeBaseline = first.nativeBytes;
  printHeader(options, first);
  const samples: Sample[] = [first];
  let failures: string[] = [];
  let ops = 0;
  let workersStarted = 0;
  for (let phase = 0; performance.now() - start < minutes * 60_000 && failures.length === 0; phase += 1) {
    const impl: ImplName = phase % 2 === 0 ? 'redirect-table' : 'redirect-table hash';
    const churn = startWorkerChurn({ tableId: churnOn.table.id, ifindex: churnOn.device.ifindex }, workers);
    const result = await runPhase({
      impl,
      readers,
      duration: phaseSeconds,
      phase,
      options: { keys: 1024, batch: 256, rate: 100_000, deleteRate: 50_000, churnMs: 10, pool: 16, mode: 'mix' },
    });
    await churn.stop();
    const trimsAtEnd = native.arenaTrims().trims;
    workersStarted += churn.stats.started;
    if (churn.stats.failed !== 0) failures.push(`${churn.stats.failed} short-lived workers failed`);
    failures = [...failures, ...correctnessFailures([result])];
    ops += opsOf(result);
    const s = await sample(start, ops, trimsAtEnd);
    samples.push(s);
    printPhaseRow(s, impl, ops, workersStarted, result.churner.unregistrations);
  }
  await churnOn.table.close();
  await churnOn.device.unregister();

  const growth = analyseGrowth(samples, warmup, nativeBaseline);
  printGrowth(growth, samples[samples.length - 1], nativeBaseline, ops, workersStarted);
  failures.push(...growth.failures);
  if (failures.length !== 0) {
    process.stderr.write(`soak: failed:\n  ${failures.join('\n  ')}\n`);
    return 1;
  }
  process.stdout.write('soak: within budget\n');
  return 0;
}
