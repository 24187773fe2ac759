// Child process: rounds of hostile workers around a live datapath and device churn.
// Each round: a worker running every call in turn, terminated at a random moment; a worker
// that calls process.exit() after a random number of rounds; a worker that loads the package
// twice and uses both instances (load-twice.js); meanwhile the main thread redirects frames
// into a device it then unregisters. Checked at the end: every unregister resolved, no frame
// reached a device after its unregistration resolved, and the workers' liburcu registrations
// and counter slots came back. Prints one JSON line.
//   node mixed-stress.js [rounds]
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { Namespace, RedirectTable } from '../../lib';
import { native } from '../../lib/native';
import { setupTargets } from './setup-targets';

const rounds = Number(process.argv[2] ?? 20);
const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function start(file: string, workerData: unknown): { worker: Worker; exited: Promise<number> } {
  const worker = new Worker(path.join(__dirname, file), { workerData, stdout: true });
  const exited = new Promise<number>((resolve) => worker.once('exit', resolve));
  worker.on('error', () => {}); // a terminated or exiting worker may report nothing else
  return { worker, exited };
}

async function main(): Promise<void> {
  const targets = setupTargets(`s${process.pid % 10000}`);
  const table = new RedirectTable({ maxEntries: 16 });
  // The baseline is read after the first round: by then the main thread holds its liburcu
  // registration and counter slot, and the package's own service threads (unregistration
  // work) have started; they stay registered for the life of the process.
  let registeredBefore = 0;
  let slotsBefore = 0;
  let seed = 777;
  const random = (n: number): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  let framesAfterUnregister = 0;
  let roundsWithTraffic = 0;
  let unregistered = 0;
  let exitCodes = 0;
  const ids = new Uint32Array(256);
  for (let round = 0; round < rounds; round += 1) {
    const terminated = start('call-loop.js', { targets: targets.ids, call: '*', tag: `t${round}-` });
    const exiting = start('call-loop.js', {
      targets: targets.ids,
      call: '*',
      tag: `x${round}-`,
      exitAfter: { rounds: 1 + random(5), code: 40 + (round % 10) },
    });
    const reloading = start('load-twice.js', undefined);
    const device = Namespace.root.createDevice(`s${process.pid % 10000}r${round}`);
    for (let key = 0; key < 16; key += 1) table.set(key, device.ifindex);
    const keys = Uint32Array.from({ length: 64 }, (_, i) => i % 16);
    const lengths = new Uint32Array(64).fill(100);
    for (let i = 0; i < 20 + random(50); i += 1) {
      table.redirect(keys, Uint32Array.from({ length: 64 }, (_, j) => j), lengths);
      if (i % 8 === 0) await tick();
    }
    setTimeout(() => void terminated.worker.terminate(), random(30));
    await device.unregister();
    unregistered += 1;
    // Whatever reached the ring did so before the unregistration resolved; nothing may follow.
    while (device.receive(ids) > 0);
    table.redirect(keys, keys, lengths);
    framesAfterUnregister += device.receive(ids);
    if (device.stats().txFrames > 0) roundsWithTraffic += 1;
    const codes = await Promise.all([terminated.exited, exiting.exited, reloading.exited]);
    if (codes[1] === 40 + (round % 10)) exitCodes += 1;
    if (round === 0) {
      registeredBefore = native.registeredThreadCount();
      slotsBefore = native.liveThreadSlots();
    }
  }
  await table.close();
  await targets.close();
  for (let i = 0; i < 200 && native.registeredThreadCount() > registeredBefore; i += 1) await tick();
  process.stdout.write(
    `${JSON.stringify({
      rounds,
      unregistered,
      exitCodes,
      framesAfterUnregister,
      roundsWithTraffic,
      registrationsLeaked: native.registeredThreadCount() - registeredBefore,
      slotsLeaked: native.liveThreadSlots() - slotsBefore,
    })}\n`
  );
}

main().catch((error) => {
  process.stderr.write(`${error?.stack ?? error}\n`);
  process.exit(1);
});
