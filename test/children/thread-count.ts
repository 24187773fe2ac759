// Counts this process's threads around unregistrations that cross namespaces (a veth pair with
// one end in each, then an upper whose lower is elsewhere, then a namespace destroy), after a
// warm-up that starts whatever any unregistration starts. With REDIRECT_TABLE_SERVICE_THREADS=0
// (a process at its thread limit) the package must start no thread for them. Prints a JSON report.
import * as fs from 'node:fs';
import * as lib from '../../lib';
import { crossNamespaceWorld, warmUp } from './cross-namespace';

const threads = (): number => fs.readdirSync('/proc/self/task').length;

async function main(): Promise<void> {
  await warmUp(lib);
  const before = threads();
  const states = [];
  for (let round = 0; round < 3; round += 1) states.push(...(await crossNamespaceWorld(lib, String(round)).tearDown()));
  console.log(JSON.stringify({ before, after: threads(), states }));
}

void main();
