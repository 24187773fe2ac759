// The collector race's command-line options (native-free: parsed before anything loads).
import * as os from 'node:os';
import { parseArgs } from 'node:util';

export interface GcRaceOptions {
  seconds: number;
  flows: number;
  workers: number;
  idleMs: number;
  decideMs: number;
  out: string | undefined;
}

export function parseGcRaceOptions(argv: string[]): GcRaceOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      seconds: { type: 'string', default: '3' },
      flows: { type: 'string', default: '4096' },
      workers: { type: 'string', default: String(Math.max(1, os.availableParallelism() - 1)) },
      'idle-ms': { type: 'string', default: '40' },
      'decide-ms': { type: 'string', default: '3' },
      out: { type: 'string' },
    },
  });
  return {
    seconds: Number(values.seconds),
    flows: Number(values.flows),
    workers: Number(values.workers),
    idleMs: Number(values['idle-ms']),
    decideMs: Number(values['decide-ms']),
    out: values.out,
  };
}
