// `npm run bench:micro`: the command line of the micro suite (bench/micro/run.ts).
import { runCli } from './common/cli';
import { parseMicroOptions } from './micro/options';
import { BATCH_SIZES, DEFAULT_MAX_TIME, DEVICE_COUNT, MAX_ENTRIES } from './micro/shape';

const USAGE = `usage: npm run bench:micro -- [options]

Single-thread micro benchmarks (benchmark.js) of the native boundary and of both table kinds
(${MAX_ENTRIES} maxEntries, 3 in 4 keys set to one of ${DEVICE_COUNT} devices): native no-op call;
per-call get, set (replacing an entry), delete+set pair; getBatch, redirect and submit (a
SubmitQueue) of ${BATCH_SIZES.join(', ')} keys/frames per call; redirectOne. Then the
control plane on large tables (the "purge:" cases): how long unregister(), destroy() and moveTo() block
the calling thread and when they resolve, median (min-max) of 5 runs.

options:
  --filter <regex>   run only the cases whose name matches (case-insensitive), e.g. 'hash.*redirect'
  --max-time <s>     benchmark.js maxTime per case in seconds (default ${DEFAULT_MAX_TIME})
  --out <file>       JSON output (default bench/results/micro-<ISO time>.json)
  --list             print the case names and exit
  --help             this text
`;

runCli('bench:micro', USAGE, process.argv.slice(2), async () => {
  parseMicroOptions(process.argv.slice(2)); // a bad command line fails before anything loads
  const { runMicro } = await import('./micro/run');
  const run = await runMicro(process.argv.slice(2));
  return run !== undefined && run.results.some((r) => r.error !== undefined) ? 1 : 0;
});
