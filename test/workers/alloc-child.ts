// Child process for the allocation-failure test: run under `ulimit -v` so that large allocations
// fail. Performs one scenario (argv[2]) and prints one line of JSON describing what happened, so
// the parent can check that every failure was a RedirectError ENOMEM and that nothing changed.
import { Device, Namespace, RedirectError, RedirectHashTable, RedirectTable } from '../../lib';
import { native } from '../../lib/native';

interface Failure {
  what: string;
  code?: string;
  redirectError: boolean;
  message: string;
}

const failures: Failure[] = [];
let successes = 0;

function attempt(what: string, fn: () => void): boolean {
  try {
    fn();
    successes += 1;
    return true;
  } catch (error) {
    failures.push({
      what,
      code: (error as { code?: string }).code,
      redirectError: error instanceof RedirectError,
      message: String((error as Error).message),
    });
    return false;
  }
}

function counts(): { tables: number; devices: number; namespaces: number; rootDevices: number } {
  const rootDevices = Namespace.root.devices().length; // first, so the root namespace exists
  return { tables: native.liveTableCount(), ...native.liveObjects(), rootDevices };
}

// A small table and device still work after the failures.
async function usable(): Promise<boolean> {
  const dev = Namespace.root.createDevice('after0');
  const hash = new RedirectHashTable({ maxEntries: 16 });
  const array = new RedirectTable({ maxEntries: 16 });
  hash.set(7, dev.ifindex);
  array.set(7, dev.ifindex);
  const ok = hash.get(7) === dev.ifindex && array.get(7) === dev.ifindex;
  await Promise.all([hash.close(), array.close()]);
  await dev.unregister();
  return ok;
}

async function tables(): Promise<object> {
  const before = counts();
  for (const maxEntries of [2 ** 28, 2 ** 31, 2 ** 32 - 1]) {
    let table: RedirectTable | undefined;
    if (attempt(`hash ${maxEntries}`, () => (table = new RedirectHashTable({ maxEntries })))) await table?.close();
  }
  // An array table of 2^32 - 1 slots needs 32 GiB of address space.
  let table: RedirectTable | undefined;
  if (attempt('array', () => (table = new RedirectTable({ maxEntries: 2 ** 32 - 1 })))) await table?.close();
  const after = counts();
  return { before, after, usable: await usable() };
}

async function rings(): Promise<object> {
  const before = counts();
  const created: Device[] = [];
  for (let i = 0; i < 64; i += 1) {
    let dev: Device | undefined;
    if (!attempt('ring', () => (dev = Namespace.root.createDevice(`ring${i}`, { ringSize: 2 ** 24 })))) break;
    if (dev) created.push(dev);
  }
  const full = counts();
  // A veth pair whose second end cannot get its ring: neither end may exist afterwards.
  const ns = new Namespace(`alloc-ns-${process.pid}`);
  const beforePair = { ...counts(), nsDevices: ns.devices().length };
  attempt('veth', () =>
    Device.createVethPair(
      { name: 'va', namespace: ns, ringSize: 2 ** 24 },
      { name: 'vb', namespace: ns, ringSize: 2 ** 24 },
    ),
  );
  const afterPair = { ...counts(), nsDevices: ns.devices().length };
  await Promise.all(created.map((dev) => dev.unregister()));
  await ns.destroy();
  return { before, created: created.length, full, beforePair, afterPair, usable: await usable() };
}

const scenarios: Record<string, () => Promise<object>> = { tables, rings };

async function main(): Promise<void> {
  const result = await scenarios[process.argv[2]]();
  process.stdout.write(`${JSON.stringify({ ...result, failures, successes })}\n`);
}

void main();
