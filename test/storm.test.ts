import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { Device, Namespace, RedirectTable } from '../lib';
import { uniqueName } from './helpers';
import { StormData, TALLY } from './workers/storm-shared';

describe('namespace storm with worker threads', () => {
  it('traffic, veth churn, moves, lower removal and namespace destroys leave a consistent world', async function () {
    this.timeout(90_000);
    const namespaces = [0, 1, 2].map(() => new Namespace(uniqueName('st')));
    const tables = namespaces.map((namespace) => new RedirectTable({ maxEntries: 16, namespace }));
    const control = new Int32Array(new SharedArrayBuffer(8));
    let parked = 0;
    const tally = new BigInt64Array(new SharedArrayBuffer(8 * 5));
    const roles: StormData['role'][] = ['traffic', 'traffic', 'veth', 'stack'];
    const workers = roles.map((role, worker) => {
      const data: StormData = {
        role,
        worker,
        namespaceNames: namespaces.map((n) => n.name),
        tableIds: tables.map((t) => t.id),
        control,
        tally,
      };
      const w = new Worker(path.join(__dirname, 'workers', 'storm.js'), { workerData: data });
      w.on('message', (m) => {
        if (m === 'parked') parked += 1;
      });
      return new Promise<void>((resolve, reject) => {
        w.once('error', reject);
        w.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${role} worker exited with ${code}`))));
      });
    });

    // This thread consumes: drains every device it can see in the three namespaces.
    const seen = new Set<Device>();
    const ids = new Uint32Array(4096);
    const drain = (): void => {
      for (const ns of namespaces) for (const d of ns.devices()) seen.add(d);
      for (const d of seen) {
        for (let n = d.receive(ids); n > 0; n = d.receive(ids)) Atomics.add(tally, TALLY.received, BigInt(n));
      }
    };
    const deadline = Date.now() + 4000;
    while (Date.now() < deadline) {
      drain();
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    Atomics.store(control, 0, 1);
    // The churn workers park one last set of devices (a veth pair, a lower with uppers, a
    // tunnel into a namespace of their own) while the traffic goes on: check the world now.
    while (parked < 2) {
      drain();
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    // Structure: nothing registered depends on something gone; no entry names a gone device.
    const kinds = new Set<string>();
    for (const ns of namespaces) {
      for (const d of ns.devices()) {
        kinds.add(d.kind);
        if (d.kind === 'veth') assert.equal(d.peer?.state, 'registered', `${d.name} lost its peer`);
        if (d.kind === 'ipvlan' || d.kind === 'macvlan') assert.equal(d.lower?.state, 'registered', `${d.name} lost its lower`);
        if (d.kind === 'tunnel') assert.equal(d.backend?.state, 'alive', `${d.name} lost its backend`);
      }
    }
    for (const kind of ['veth', 'plain', 'ipvlan', 'tunnel']) assert.ok(kinds.has(kind), `no ${kind} device parked`);
    for (const t of tables) {
      for (const key of t.keys()) {
        const ifindex = t.get(key);
        if (ifindex === undefined) continue; // deleted by a racing purge since keys()
        const dev = t.namespace.device(ifindex);
        assert.equal(dev?.state, 'registered', `table ${t.id} key ${key} -> ${ifindex}`);
      }
    }
    Atomics.store(control, 1, 1);
    await Promise.all(workers); // every Promise inside them resolved
    drain();

    // Conservation over every device created (each reported once by its creator).
    // redirect() returns the frames delivered into rings: exactly the txFrames of every device.
    const delivered = tally[TALLY.delivered];
    assert.ok(delivered > 10_000n, `only ${delivered} frames delivered`);
    assert.ok(tally[TALLY.devices] > 20n, `only ${tally[TALLY.devices]} devices went through the storm`);
    assert.equal(tally[TALLY.tx], delivered, 'delivered != txFrames');
    assert.ok(tally[TALLY.handed] >= delivered, 'tx + drops + errors < delivered');
    assert.equal(tally[TALLY.received], tally[TALLY.tx], 'received != txFrames');

    await Promise.all(tables.map((t) => t.close()));
    await Promise.all(namespaces.map((n) => n.destroy()));
    for (const d of seen) assert.equal(d.state, 'released');
  });
});
