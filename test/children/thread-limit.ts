// A process at its thread limit: RLIMIT_NPROC lowered to the threads its user runs now, so that
// creating one more fails with EAGAIN. The limit binds no root process: run as root, the script
// becomes nobody once everything is loaded. Prints a JSON report; a crash shows as the child's
// signal. Two cases (argv[2]):
//  - "cross-namespace": after a warm-up (the service threads any unregistration starts are up),
//    devices are unregistered across namespaces: a veth pair with one end in each, an upper
//    whose lower is elsewhere, namespace destroys;
//  - "load" <lib dir>: the limit is reached before the package is loaded (a copy of dist/lib
//    and the addon that nobody can read, made by the caller): loading it throws instead of
//    ending the process;
//  - "after-load": the package is loaded, then the limit is reached, then namespaces, tables
//    and devices are made and used;
//  - "first-use": the limit is reached before the package started any thread; a device with a
//    table entry is unregistered (its grace-period work has no thread to run on), then the
//    limit is lifted again and a table write lets the work start; a second unregistration then
//    finds the purge worker started too.
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import type * as Lib from '../../lib';
import { crossNamespaceWorld, warmUp } from './cross-namespace';

// Loaded on demand: the "load" case must reach the limit first.
const lib = (): typeof Lib => require('../../lib') as typeof Lib;

// Threads (tasks) of every process whose real uid is this process's: what RLIMIT_NPROC counts.
function tasksOfThisUser(): number {
  const uid = process.getuid?.();
  let count = 0;
  for (const pid of fs.readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
      const realUid = Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]);
      if (realUid === uid) count += fs.readdirSync(`/proc/${pid}/task`).length;
    } catch {
      // the process ended meanwhile
    }
  }
  return count;
}

// This process's soft RLIMIT_NPROC as prlimit takes it.
function softLimit(): string {
  return /^Max processes\s+(\S+)/m.exec(fs.readFileSync('/proc/self/limits', 'utf8'))?.[1] ?? 'unlimited';
}

// Drops root: the limit binds no root process.
function dropRoot(): void {
  if (process.getuid?.() === 0) {
    process.setgroups?.([]);
    process.setgid?.(65534);
    process.setuid?.(65534);
  }
}

// Lowers the soft limit to what this user runs now (the hard limit stays, so that it can be
// lifted again without privileges); true when no process can start any more.
function reachThreadLimit(): boolean {
  const limit = tasksOfThisUser();
  execFileSync('prlimit', ['--pid', String(process.pid), `--nproc=${limit}:`]);
  try {
    execFileSync('true'); // a probe: at the limit, no process can start
    return false;
  } catch {
    return true;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function load(libDir: string): Record<string, unknown> {
  dropRoot();
  const limited = reachThreadLimit();
  try {
    require(libDir);
    return { limited, loaded: true };
  } catch (error) {
    return { limited, loaded: false, code: (error as NodeJS.ErrnoException).code, message: (error as Error).message };
  }
}

async function afterLoad(): Promise<Record<string, unknown>> {
  const { Namespace, RedirectHashTable, RedirectTable } = lib();
  dropRoot();
  const limited = reachThreadLimit();
  const ns = new Namespace('after-load');
  const array = new RedirectTable({ maxEntries: 8, namespace: ns });
  const hash = new RedirectHashTable({ maxEntries: 8, namespace: ns });
  const device = ns.createDevice('eth0');
  array.set(1, device.ifindex);
  hash.set(5, device.ifindex);
  return { limited, got: [array.get(1) === device.ifindex, hash.get(5) === device.ifindex] };
}

async function crossNamespace(): Promise<Record<string, unknown>> {
  await warmUp(lib());
  const world = crossNamespaceWorld(lib(), 'limit');
  dropRoot();
  const limited = reachThreadLimit();
  return { limited, states: await world.tearDown() };
}

async function firstUse(): Promise<Record<string, unknown>> {
  const { Namespace, RedirectTable } = lib();
  const ns = new Namespace('first-use');
  const table = new RedirectTable({ maxEntries: 8, namespace: ns });
  const device = ns.createDevice('eth0');
  const other = ns.createDevice('eth1');
  table.set(1, device.ifindex);
  dropRoot();
  // At the limit no process can start: the one that lifts it again starts now and waits for a
  // line on stdin (then execs prlimit, which starts nothing new).
  const lifter = spawn('sh', ['-c', `read line; exec prlimit --pid ${process.pid} --nproc=${softLimit()}:`], {
    stdio: ['pipe', 'ignore', 'inherit'],
  });
  const lifted = new Promise<number | null>((resolve) => lifter.on('exit', resolve));
  const limited = reachThreadLimit();
  let settled = false;
  const unregistered = device.unregister().then(() => {
    settled = true;
  });
  await sleep(300);
  const atLimit = { settled, state: device.state, get: table.get(1) ?? null };
  const threadsAtLimit = fs.readdirSync('/proc/self/task').length;
  lifter.stdin.end('lift\n');
  const lifterStatus = await lifted;
  await sleep(150); // past the retry interval
  table.set(2, other.ifindex); // queues grace-period work: the package tries its thread again
  table.delete(2);
  await unregistered;
  table.set(3, other.ifindex);
  await other.unregister(); // its purge: on the purge worker, which can start now
  const threadsStarted = fs.readdirSync('/proc/self/task').length - threadsAtLimit;
  await table.close();
  await ns.destroy();
  return { limited, atLimit, lifterStatus, states: [device.state, other.state], threadsStarted };
}

async function main(): Promise<void> {
  const cases: Record<string, () => Record<string, unknown> | Promise<Record<string, unknown>>> = {
    load: () => load(process.argv[3]),
    'after-load': afterLoad,
    'cross-namespace': crossNamespace,
    'first-use': firstUse,
  };
  const report = await cases[process.argv[2]]();
  console.log(JSON.stringify(report));
  // The "after-load" case leaves unregistrations and frees to nobody: exit here, not when done.
  process.exit(0);
}

void main();
