// `npm run soak -- --minutes N`: the command line of the soak (bench/soak/run.ts). The concurrent
// mix on our tables, phase after phase (array and hash alternately, every role, device and
// namespace churn) with short-lived workers started throughout, for N minutes; exit code 1
// beyond the memory budget (bench/soak/growth.ts) or on a correctness failure.
import * as os from 'node:os';
import { runCli } from './common/cli';
import { BUDGET } from './soak/growth';
import { parseSoakOptions } from './soak/options';

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

runCli('soak', HELP, process.argv.slice(2), async () => {
  const options = parseSoakOptions(process.argv.slice(2));
  const { runSoak } = await import('./soak/run');
  return runSoak(options);
});
