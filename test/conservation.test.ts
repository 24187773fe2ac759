import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { Device, RedirectTable } from '../lib';
import { createDevice } from './helpers';
import { createIdBitmap, RedirectorData, RedirectorReport, SEQ_BITS } from './workers/conservation-state';

interface Tracked {
  device: Device;
  received: number;
  /** txFrames when unregister() resolved (after draining the ring then). */
  txAtResolve?: number;
  receivedAfterResolve: number;
}

const popcount = (x: number): number => {
  let n = 0;
  for (let v = x >>> 0; v !== 0; v &= v - 1) n += 1;
  return n;
};

describe('frame conservation with worker threads', () => {
  it('every frame a batch delivered is received once, none it reported refused is; handed = received + drops + errors; none after unregister resolved', async function () {
    this.timeout(60_000);
    const keyCount = 32;
    const workers = 2;
    const table = new RedirectTable({ maxEntries: keyCount });
    const control = new Int32Array(new SharedArrayBuffer(4));
    const delivered = createIdBitmap();
    const queued = createIdBitmap();
    const refused = createIdBitmap();
    const receivedBits = new Int32Array(delivered.length);
    const tracked: Tracked[] = [];
    const live: Tracked[] = [];
    let duplicates = 0;
    let foreign = 0;

    const spawn = (): Tracked => {
      const t: Tracked = { device: createDevice({ ringSize: 1024 }), received: 0, receivedAfterResolve: 0 };
      tracked.push(t);
      live.push(t);
      return t;
    };
    for (let i = 0; i < 6; i += 1) spawn();
    for (let key = 0; key < keyCount; key += 1) table.set(key, live[key % live.length].device.ifindex);

    const ids = new Uint32Array(4096);
    const drain = (t: Tracked): void => {
      for (let n = t.device.receive(ids); n > 0; n = t.device.receive(ids)) {
        t.received += n;
        if (t.txAtResolve !== undefined) t.receivedAfterResolve += n;
        for (let i = 0; i < n; i += 1) {
          const id = ids[i];
          if (id >>> SEQ_BITS >= workers) foreign += 1;
          const bit = 1 << (id & 31);
          if (receivedBits[id >>> 5] & bit) duplicates += 1;
          receivedBits[id >>> 5] |= bit;
        }
      }
    };

    const runs = Array.from({ length: workers }, (_, worker) => {
      const data: RedirectorData = { tableId: table.id, worker, control, delivered, queued, refused, keyCount, framesPerSecond: 1_200_000 };
      const w = new Worker(path.join(__dirname, 'workers', 'redirector.js'), { workerData: data });
      return new Promise<RedirectorReport>((resolve, reject) => {
        w.once('message', resolve);
        w.once('error', reject);
      });
    });

    let rng = 7;
    const random = (n: number): number => {
      rng = (Math.imul(rng, 1103515245) + 12345) & 0x7fffffff;
      return rng % n;
    };
    const unregistrations: Promise<void>[] = [];
    const deadline = Date.now() + 3000;
    let nextUnregister = Date.now() + 100;
    while (Date.now() < deadline) {
      for (let i = 0; i < 20; i += 1) {
        const key = random(keyCount);
        const op = random(10);
        if (op < 6) table.set(key, live[random(live.length)].device.ifindex);
        else if (op < 8) table.delete(key);
        else {
          const t = live[random(live.length)];
          if (t.device.isUp) t.device.down();
          else t.device.up();
        }
      }
      if (Date.now() >= nextUnregister && live.length > 2) {
        nextUnregister = Date.now() + 100;
        const victim = live.splice(random(live.length), 1)[0];
        unregistrations.push(
          victim.device.unregister().then(() => {
            drain(victim);
            victim.txAtResolve = victim.device.stats().txFrames;
            victim.receivedAfterResolve = 0;
          })
        );
        spawn();
      }
      for (const t of tracked) drain(t);
      await new Promise((resolve) => setImmediate(resolve));
    }
    Atomics.store(control, 0, 1);
    const reports = await Promise.all(runs);
    await Promise.all(unregistrations);
    for (const t of tracked) drain(t);

    let handed = 0;
    let received = 0;
    for (const t of tracked) {
      const stats = t.device.stats();
      handed += stats.txFrames + stats.drops + stats.errors;
      received += t.received;
      assert.equal(t.received, stats.txFrames, `${t.device.name}: received != txFrames`);
      if (t.txAtResolve !== undefined) {
        assert.equal(stats.txFrames, t.txAtResolve, `${t.device.name} got frames after unregister() resolved`);
        assert.equal(t.receivedAfterResolve, 0);
      }
    }
    const total = (field: 'delivered' | 'returned' | 'queued' | 'refused'): number => reports.reduce((sum, r) => sum + r[field], 0);
    for (const r of reports) assert.equal(r.returned, r.delivered, 'redirect() returned a count other than its 0 verdicts');
    assert.equal(handed, total('delivered') + total('refused') + total('queued'), 'handed != delivered + refused + queued');
    assert.equal(duplicates, 0);
    assert.equal(foreign, 0);
    let lost = 0;
    let refusedButReceived = 0;
    let unexplained = 0;
    for (let i = 0; i < receivedBits.length; i += 1) {
      const got = receivedBits[i];
      lost += popcount(Atomics.load(delivered, i) & ~got);
      refusedButReceived += popcount(Atomics.load(refused, i) & got);
      unexplained += popcount(got & ~(Atomics.load(delivered, i) | Atomics.load(queued, i)));
    }
    assert.equal(lost, 0, 'frames reported delivered were never received');
    assert.equal(refusedButReceived, 0, 'frames reported refused were received');
    assert.equal(unexplained, 0, 'received frames that were neither delivered nor queued');
    assert.ok(received > 100_000, `only ${received} frames received`);
    assert.ok(unregistrations.length >= 10, `only ${unregistrations.length} unregistrations`);
    assert.ok(total('refused') > 0, 'no ring ever refused a frame: the -ENOBUFS path went untested');
    await table.close();
    await Promise.all(live.map((t) => t.device.unregister()));
  });
});
