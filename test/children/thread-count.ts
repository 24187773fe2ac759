// Counts this process's threads around unregistrations that cross namespaces (a veth pair with
// one end in each, then an upper whose lower is elsewhere, then a namespace destroy), after a
// warm-up that starts whatever any unregistration starts. With REDIRECT_TABLE_SERVICE_THREADS=0
// (a process at its thread limit) the package must start no thread for them. Prints a JSON report.
import * as fs from 'node:fs';
import { Device, Namespace } from '../../lib';

const threads = (): number => fs.readdirSync('/proc/self/task').length;

async function crossNamespaceRound(round: number): Promise<string[]> {
  const host = new Namespace(`host-${round}`);
  const guest = new Namespace(`guest-${round}`);
  const [hostEnd, guestEnd] = Device.createVethPair({ namespace: host, name: 'veth0' }, { namespace: guest, name: 'eth0' });
  const lower = host.createDevice('eth1');
  const upper = lower.createUpper('macvlan', { namespace: guest, name: 'mv0' });
  await hostEnd.unregister();
  await host.destroy();
  await guest.destroy();
  return [guestEnd.state, upper.state];
}

async function main(): Promise<void> {
  // Warm-up: an unregistration within one namespace (grace-period callbacks, purges).
  const warm = new Namespace('warm-up');
  await warm.createDevice('eth0').unregister();
  await warm.destroy();
  const before = threads();
  const states = [];
  for (let round = 0; round < 3; round += 1) states.push(...(await crossNamespaceRound(round)));
  console.log(JSON.stringify({ before, after: threads(), states }));
}

void main();
