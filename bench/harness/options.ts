// Command-line options of `npm run bench`.
import * as os from 'node:os';
import { parseArgs } from 'node:util';
import { ImplName, IMPLEMENTATIONS } from '../peers/types';

export interface BenchOptions {
  /** seconds per phase (half per-call get, half batched redirect) */
  duration: number;
  /** rounds: every phase runs once per round, implementations interleaved */
  repeats: number;
  /** reader thread counts to run, ascending */
  threads: number[];
  impls: ImplName[];
  keys: number;
  batch: number;
  /** operations per second; 0: the role stays idle; 'max': flat out */
  rate: number | 'max';
  deleteRate: number | 'max';
  /** 0: no device churn after setting up the pool */
  churnMs: number;
  pool: number;
  baseline: boolean;
  /** results JSON; the SVG goes next to it */
  out: string | undefined;
}

const cores = os.availableParallelism();

export const HELP = `Usage: npm run bench -- [options]

Runs a single-thread baseline, then one phase per implementation and reader-thread count: reader
threads do per-call get (first half) and batched redirect (second half) while an updater, a
deleter and a device churner work on the same table. Peers run the same workload: ${IMPLEMENTATIONS.join(', ')}.

  --duration <s>       seconds per phase                                  [1]
  --repeats <n>        rounds; each runs every phase once, implementations
                       interleaved; figures are median (min-max) over them [3]
  --threads <list>     reader thread counts, e.g. 1,2,4 (default: 1..cores) [${Array.from({ length: cores }, (_, i) => i + 1).join(',')}]
  --impls <list>       implementations to run                             [all]
  --keys <n>           table size (maxEntries)                            [1024]
  --batch <n>          frames per redirect call                           [256]
  --rate <n|max>       updater sets per second (0: none, max: flat out)   [100000]
  --delete-rate <n|max> deleter deletes + compareAndDeletes per second    [50000]
  --churn-ms <ms>      the churner replaces a device every (0: never)     [10]
  --pool <n>           devices the entries point at                       [16]
  --skip-baseline      skip the single-thread baseline
  --out <file>         results JSON (the SVG chart is written next to it)  [bench/results/bench-<time>.json]
  --compare <before.json> <after.json>
                       runs nothing: every figure of the two results files side by side, the
                       ratio of their medians and whether their spreads overlap; a table, and
                       a chart written next to <after.json> (<after>-vs-<before>.svg)
  --help               this text
`;

export class OptionsError extends Error {}

export function parseOptions(argv: string[]): BenchOptions | 'help' | { compare: [string, string] } {
  const { values, positionals } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: true,
    options: {
      compare: { type: 'boolean', default: false },
      duration: { type: 'string', default: '1' },
      repeats: { type: 'string', default: '3' },
      threads: { type: 'string', default: Array.from({ length: cores }, (_, i) => i + 1).join(',') },
      impls: { type: 'string', default: IMPLEMENTATIONS.join(',') },
      keys: { type: 'string', default: '1024' },
      batch: { type: 'string', default: '256' },
      rate: { type: 'string', default: '100000' },
      'delete-rate': { type: 'string', default: '50000' },
      'churn-ms': { type: 'string', default: '10' },
      pool: { type: 'string', default: '16' },
      'skip-baseline': { type: 'boolean', default: false },
      out: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return 'help';
  if (values.compare) {
    if (positionals.length !== 2) throw new OptionsError('--compare takes two results files: --compare before.json after.json');
    return { compare: [positionals[0], positionals[1]] };
  }
  if (positionals.length !== 0) throw new OptionsError(`unexpected argument "${positionals[0]}"`);
  const num = (name: string, value: string, min: number, max: number, integer = true): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
      throw new OptionsError(`--${name} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max} (got "${value}")`);
    }
    return n;
  };
  const threads = [...new Set(values.threads.split(',').map((t) => num('threads', t, 1, 48)))].sort((a, b) => a - b);
  const impls = values.impls.split(',').map((name) => {
    if (!(IMPLEMENTATIONS as readonly string[]).includes(name)) {
      throw new OptionsError(`--impls: unknown implementation "${name}" (known: ${IMPLEMENTATIONS.join(', ')})`);
    }
    return name as ImplName;
  });
  return {
    duration: num('duration', values.duration, 0.1, 3600, false),
    repeats: num('repeats', values.repeats, 1, 100),
    threads,
    impls,
    keys: num('keys', values.keys, 1, 1 << 20),
    batch: num('batch', values.batch, 1, 1 << 16),
    rate: values.rate === 'max' ? 'max' : num('rate', values.rate, 0, 1e9),
    deleteRate: values['delete-rate'] === 'max' ? 'max' : num('delete-rate', values['delete-rate'], 0, 1e9),
    churnMs: num('churn-ms', values['churn-ms'], 0, 60_000, false),
    pool: num('pool', values.pool, 1, 4096),
    baseline: !values['skip-baseline'],
    out: values.out,
  };
}
