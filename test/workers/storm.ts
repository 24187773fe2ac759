// A storm worker: 'traffic' redirects through every table; 'veth' creates veth pairs across
// namespaces, points entries at them, moves ends, and deletes a random end; 'stack' creates
// lowers with uppers in other namespaces and tunnels into short-lived namespaces, then removes
// the lowers and destroys those namespaces. Creators report every device they created once it is
// released (its final counters, and the frames still in its ring).
import { parentPort, workerData } from 'node:worker_threads';
import { Device, Namespace, RedirectError, RedirectTable } from '../../lib';
import { StormData, TALLY } from './storm-shared';

const data = workerData as StormData;
const namespaces = data.namespaceNames.map((name) => Namespace.open(name));
const tables = data.tableIds.map((id) => RedirectTable.open(id));
let rng = 0x1234567 + data.worker * 7919;
const random = (n: number): number => {
  rng ^= rng << 13;
  rng ^= rng >>> 17;
  rng ^= rng << 5;
  return (rng >>> 0) % n;
};
const stopped = (): boolean => Atomics.load(data.control, 0) !== 0;

/** After the storm: keep `devices` alive until the main thread has checked the world. */
async function park(): Promise<void> {
  parentPort?.postMessage('parked');
  while (Atomics.load(data.control, 1) === 0) await new Promise((resolve) => setTimeout(resolve, 2));
}
const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const drained = new Uint32Array(4096);

function report(devices: Device[]): void {
  for (const dev of devices) {
    if (dev.state !== 'released') throw new Error(`${dev.name} is ${dev.state} after its unregistration resolved`);
    let received = 0;
    for (let n = dev.receive(drained); n > 0; n = dev.receive(drained)) received += n;
    const s = dev.stats();
    Atomics.add(data.tally, TALLY.received, BigInt(received));
    Atomics.add(data.tally, TALLY.handed, BigInt(s.txFrames + s.drops + s.errors));
    Atomics.add(data.tally, TALLY.tx, BigInt(s.txFrames));
    Atomics.add(data.tally, TALLY.devices, 1n);
  }
}

/** Points a random key of each device's namespace table at it (a race with moves is fine). */
function point(devices: Device[]): void {
  for (const dev of devices) {
    const index = namespaces.indexOf(dev.namespace);
    if (index < 0) continue;
    try {
      tables[index].set(random(tables[index].maxEntries), dev.ifindex);
    } catch (error) {
      if (!(error instanceof RedirectError) || error.code !== 'ENODEV') throw error;
    }
  }
}

function ignoring(codes: string[], fn: () => void): void {
  try {
    fn();
  } catch (error) {
    if (!(error instanceof RedirectError) || !codes.includes(error.code)) throw error;
  }
}

async function traffic(): Promise<void> {
  const n = 64;
  const keys = new Uint32Array(n);
  const ids = new Uint32Array(n);
  const lengths = new Uint32Array(n).fill(100);
  let seq = data.worker << 24;
  while (!stopped()) {
    for (const table of tables) {
      for (let i = 0; i < n; i += 1) {
        keys[i] = random(table.maxEntries);
        ids[i] = seq++;
      }
      Atomics.add(data.tally, TALLY.delivered, BigInt(table.redirect(keys, ids, lengths)));
    }
    await tick();
  }
}

async function veth(): Promise<void> {
  for (let round = 0; ; round += 1) {
    const last = stopped(); // the last round parks its pair for the main thread's checks
    const a = namespaces[random(namespaces.length)];
    const b = namespaces[random(namespaces.length)];
    const pair = Device.createVethPair({ namespace: a, name: `va${data.worker}-${round}` }, { namespace: b, name: `vb${data.worker}-${round}` });
    point(pair);
    for (let i = 0; i < 3; i += 1) {
      ignoring(['EEXIST', 'ENODEV'], () => pair[random(2)].moveTo(namespaces[random(namespaces.length)]));
      point(pair);
      await tick();
    }
    if (last) await park();
    await pair[random(2)].unregister(); // either side: both ends go
    report(pair);
    if (last) return;
  }
}

async function stack(): Promise<void> {
  for (let round = 0; ; round += 1) {
    const last = stopped();
    const home = namespaces[random(namespaces.length)];
    const lower = home.createDevice(`lo${data.worker}-${round}`);
    const uppers = [0, 1].map((i) =>
      lower.createUpper(i === 0 ? 'ipvlan' : 'macvlan', { namespace: namespaces[random(namespaces.length)], name: `up${i}-${round}` })
    );
    const extra = new Namespace(`storm-e${data.worker}-${round}`);
    const inExtra = extra.createDevice('eth0');
    const tunnel = namespaces[random(namespaces.length)].createTunnel(`tu${data.worker}-${round}`, { backend: extra });
    point([lower, ...uppers, tunnel]);
    await tick();
    ignoring(['EEXIST', 'ENODEV'], () => uppers[0].moveTo(namespaces[random(namespaces.length)]));
    if (last) await park();
    await Promise.all([lower.unregister(), extra.destroy()]);
    report([lower, ...uppers, inExtra, tunnel]);
    if (last) return;
  }
}

const roles = { traffic, veth, stack };
roles[data.role]()
  .then(() => Promise.all(tables.map((t) => t.close())))
  .then(() => parentPort?.postMessage('done'));
