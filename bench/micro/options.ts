// The micro suite's command-line options (native-free: parsed before anything loads).
import { parseArgs } from 'node:util';
import { UsageError } from '../common/cli';
import { DEFAULT_MAX_TIME } from './shape';

export interface MicroOptions {
  filter: RegExp | undefined;
  /** benchmark.js maxTime per case, seconds */
  maxTime: number;
  out: string | undefined;
  list: boolean;
}

export function parseMicroOptions(argv: string[]): MicroOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      filter: { type: 'string' },
      'max-time': { type: 'string', default: String(DEFAULT_MAX_TIME) },
      out: { type: 'string' },
      list: { type: 'boolean', default: false },
    },
  });
  const maxTime = Number(values['max-time']);
  if (!(maxTime > 0)) throw new UsageError(`--max-time must be a positive number of seconds, got ${values['max-time']}`);
  let filter: RegExp | undefined;
  try {
    filter = values.filter === undefined ? undefined : new RegExp(values.filter, 'i');
  } catch (error) {
    throw new UsageError(`--filter: ${(error as Error).message}`);
  }
  return { filter, maxTime, out: values.out, list: values.list };
}
