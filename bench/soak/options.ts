// The soak's command-line options (native-free: parsed before anything loads).
import * as os from 'node:os';
import { parseArgs } from 'node:util';
import { UsageError } from '../common/cli';

export interface SoakOptions {
  minutes: number;
  phaseSeconds: number;
  warmup: number;
  workers: number;
  readers: number;
}

export function parseSoakOptions(argv: string[]): SoakOptions {
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
