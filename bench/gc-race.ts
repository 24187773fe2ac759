// `npm run bench:gc-race`: the command line of the collector race (bench/gc-race/run.ts).
import * as os from 'node:os';
import { runCli } from './common/cli';
import { parseGcRaceOptions } from './gc-race/options';

const HELP = `Usage: npm run bench:gc-race -- [options]

Worker threads keep flows alive through the datapath while a collector expires idle ones: once
with a naive collector (snapshot, decide, delete by key), once with the conditional one
(compareAndDeleteBatch with revisions and lastUsed), on both table kinds. It counts the live
flows each one deleted wrongly; exit code 1 if the conditional collector deleted any.

  --seconds <s>     seconds per collector                               [3]
  --flows <n>       flows (table keys)                                  [4096]
  --workers <n>     refresher threads                                   [${Math.max(1, os.availableParallelism() - 1)}]
  --idle-ms <ms>    a flow is idle after                                [40]
  --decide-ms <ms>  pause between the snapshot and the deletes          [3]
  --out <file>      results JSON                                        [bench/results/gc-race-<time>.json]
  --help            this text
`;

runCli('bench:gc-race', HELP, process.argv.slice(2), async () => {
  parseGcRaceOptions(process.argv.slice(2)); // a bad command line fails before anything loads
  const { runGcRace } = await import('./gc-race/run');
  const results = await runGcRace(process.argv.slice(2));
  let code = 0;
  for (const r of results) {
    if (r.collector === 'conditional' && r.wronglyDeleted !== 0) code = 1;
    if (r.collector === 'naive' && r.wronglyDeleted === 0) {
      process.stderr.write(`bench:gc-race: the naive collector lost no live flow on the ${r.kind} table: the race was not provoked\n`);
    }
  }
  return code;
});
