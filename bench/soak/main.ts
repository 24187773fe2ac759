// `npm run soak -- --minutes N`: the command line of the soak (bench/soak/run.ts). The concurrent
// mix on our tables, phase after phase (array and hash alternately, every role, device and
// namespace churn) with short-lived workers started throughout, for N minutes; exit code 1
// beyond the memory budget (bench/soak/growth.ts) or on a correctness failure.
import * as os from 'node:os';
import { parseArgs } from 'node:util';
import { runCli, UsageError } from '../cli';
import { BUDGET } from './growth';

const HELP = `Usage: npm run soak -- [options]

  --minutes <n>         how long to run                                   [10]
  --phase-seconds <s>   length of one phase (array and hash alternate)    [20]
  --warmup-minutes <m>  growth is judged on the samples after this         [2]
  --workers <n>         short-lived workers started per second             [5]
  --readers <n>         reader threads                                     [${os.availableParallelism()}]
  --help                this text

The main thread runs with --max-semi-space-size=2 (npm run soak sets it): under the harness's
own allocation rate V8 would otherwise grow its young generation to 32 MiB, a one-time step of
about 20 MiB that belongs to the harness, not to the package.

Budget: RSS at the end at most ${BUDGET.growthAfterWarmup * 100}% above RSS after the warm-up and at most
${BUDGET.endOverStart}x RSS at the start; the package's native memory back at its starting figure after
every phase. Exit code 1 beyond it or on a correctness failure, 2 on bad options.
`;

function parseOptions(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      minutes: { type: 'string', default: '10' },
      'phase-seconds': { type: 'string', default: '20' },
      'warmup-minutes': { type: 'string', default: '2' },
      workers: { type: 'string', default: '5' },
      readers: { type: 'string', default: String(os.availableParallelism()) },
      help: { type: 'boolean', default: false },
    },
  });
  const o = {
    minutes: Number(values.minutes),
    phaseSeconds: Number(values['phase-seconds']),
    warmup: Number(values['warmup-minutes']),
    workers: Number(values.workers),
    readers: Number(values.readers),
  };
  if (!(o.minutes > 0) || !(o.phaseSeconds >= 1) || !(o.warmup >= 0) || !(o.workers >= 0) || !Number.isInteger(o.readers) || o.readers < 1) {
    throw new UsageError('--minutes > 0, --phase-seconds >= 1, --warmup-minutes >= 0, --workers >= 0 and an integer --readers >= 1, please');
  }
  return o;
}

runCli('soak', HELP, process.argv.slice(2), async () => {
  const options = parseOptions(process.argv.slice(2));
  const { runSoak } = await import('./run');
  return runSoak(options);
});
