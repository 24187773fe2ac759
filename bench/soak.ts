// `npm run soak -- --minutes N`: the concurrent mix on our tables, phase after phase (array and
// hash alternately, every role, device and namespace churn) for N minutes, printing the
// process's memory after each phase. Memory that grows phase after phase is a leak; any
// correctness failure ends the run with exit code 1.
import * as os from 'node:os';
import { parseArgs } from 'node:util';
import { native } from '../lib/native';
import { runPhase } from './harness/run-phase';
import type { ImplName } from './impls/types';
import { correctnessFailures } from './report';

const HELP = `Usage: npm run soak -- [options]

  --minutes <n>        how long to run                                  [10]
  --phase-seconds <s>  length of one phase (array and hash alternate)   [20]
  --readers <n>        reader threads                                   [${os.availableParallelism()}]
  --help               this text
`;

interface Sample {
  minute: number;
  rssMiB: number;
  heapUsedMiB: number;
  externalMiB: number;
  liveTables: number;
  /** native devices and namespaces allocated and not yet freed */
  liveDevices: number;
  liveNamespaces: number;
}

const settle = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Memory and live native objects once the phase's garbage is collected and its handles'
 * finalizers and grace periods have run. */
async function sample(start: number): Promise<Sample> {
  const gc = (globalThis as { gc?: () => void }).gc;
  for (let i = 0; i < 3; i += 1) {
    gc?.();
    await settle(100);
  }
  const m = process.memoryUsage();
  const live = native.liveObjects();
  const mib = (n: number): number => Math.round((n / 2 ** 20) * 10) / 10;
  return {
    minute: Math.round(((performance.now() - start) / 60_000) * 100) / 100,
    rssMiB: mib(m.rss),
    heapUsedMiB: mib(m.heapUsed),
    externalMiB: mib(m.external),
    liveTables: native.liveTableCount(),
    liveDevices: live.devices,
    liveNamespaces: live.namespaces,
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      minutes: { type: 'string', default: '10' },
      'phase-seconds': { type: 'string', default: '20' },
      readers: { type: 'string', default: String(os.availableParallelism()) },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const minutes = Number(values.minutes);
  const phaseSeconds = Number(values['phase-seconds']);
  const readers = Number(values.readers);
  if (!(minutes > 0) || !(phaseSeconds >= 1) || !Number.isInteger(readers) || readers < 1) {
    process.stderr.write(`soak: --minutes > 0, --phase-seconds >= 1 and an integer --readers >= 1, please\n\n${HELP}`);
    process.exitCode = 2;
    return;
  }
  const start = performance.now();
  const first = await sample(start);
  process.stdout.write(`soak: ${minutes} min, ${readers} readers, ${phaseSeconds} s phases; memory after each phase (MiB):\n`);
  process.stdout.write('minute  phase                 rss  heapUsed  external  live tables/devices/namespaces  get M/s  frames M/s  unregistrations\n');
  const samples: Sample[] = [first];
  let failures: string[] = [];
  for (let phase = 0; performance.now() - start < minutes * 60_000 && failures.length === 0; phase += 1) {
    const impl: ImplName = phase % 2 === 0 ? 'redirect-table' : 'redirect-table hash';
    const result = await runPhase({
      impl,
      readers,
      duration: phaseSeconds,
      phase,
      options: { keys: 1024, batch: 256, rate: 100_000, deleteRate: 50_000, churnMs: 10, pool: 16, mode: 'mix' },
    });
    failures = correctnessFailures([result]);
    const s = await sample(start);
    samples.push(s);
    process.stdout.write(
      `${s.minute.toFixed(2).padStart(6)}  ${impl.padEnd(19)}  ${s.rssMiB.toFixed(1).padStart(6)}  ${s.heapUsedMiB.toFixed(1).padStart(8)}  ` +
        `${s.externalMiB.toFixed(1).padStart(8)}  ${`${s.liveTables}/${s.liveDevices}/${s.liveNamespaces}`.padStart(29)}  ${(result.getPerSecond / 1e6).toFixed(2).padStart(7)}  ` +
        `${(result.framesPerSecond / 1e6).toFixed(2).padStart(10)}  ${String(result.churner.unregistrations).padStart(15)}\n`
    );
  }
  const last = samples[samples.length - 1];
  // Allocators and the JIT warm up over the first phases: a leak shows as growth that goes on
  // through the second half of the run, so the halves are compared.
  const half = samples.slice(Math.ceil(samples.length / 2));
  const firstHalfPeak = Math.max(...samples.slice(0, Math.ceil(samples.length / 2)).map((x) => x.rssMiB));
  const secondHalf = half.map((x) => x.rssMiB);
  process.stdout.write(
    `soak: RSS ${first.rssMiB} MiB at start, ${last.rssMiB} MiB at the end; peak ${firstHalfPeak} MiB in the first half, ` +
      `${Math.min(...secondHalf)}-${Math.max(...secondHalf)} MiB in the second; live native objects at the end: ` +
      `${last.liveTables} tables, ${last.liveDevices} devices, ${last.liveNamespaces} namespaces (the root)\n`
  );
  if (failures.length !== 0) {
    process.stderr.write(`soak: correctness failed:\n  ${failures.join('\n  ')}\n`);
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`soak: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
