import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { Device, RedirectTable } from '../lib';
import { assertRedirectError, captureWarnings, createDevice } from './helpers';
import { createSharedState, KEYS, MAX_IFINDEX, ReaderReport } from './workers/shared-state';

const workerFile = (name: string): string => path.join(__dirname, 'workers', `${name}.js`);

function runWorker<T>(name: string, workerData: unknown): { worker: Worker; result: Promise<T> } {
  const worker = new Worker(workerFile(name), { workerData });
  const result = new Promise<T>((resolve, reject) => {
    let message: T | undefined;
    worker.once('message', (m: T) => (message = m));
    worker.once('error', reject);
    worker.once('exit', (code) => (code === 0 ? resolve(message as T) : reject(new Error(`worker exit ${code}`))));
  });
  return { worker, result };
}

describe('worker threads', () => {
  it('readers in two workers only ever see values that were set, and never a device after its unregister() resolved', async function () {
    this.timeout(60_000);
    const state = createSharedState();
    const table = new RedirectTable({ maxEntries: KEYS });
    const live: Device[] = [];
    const spawn = (): Device => {
      const dev = createDevice();
      assert.ok(dev.ifindex < MAX_IFINDEX, 'test ifindex space exhausted');
      live.push(dev);
      return dev;
    };
    for (let i = 0; i < 8; i += 1) spawn();
    const readers = [0, 1].map(() => runWorker<ReaderReport>('reader', { tableId: table.id, state }));

    let rng = 12345;
    const random = (n: number): number => {
      rng = (Math.imul(rng, 1103515245) + 12345) & 0x7fffffff;
      return rng % n;
    };
    const markSet = (key: number, ifindex: number): void => {
      Atomics.store(state.everSet, key * MAX_IFINDEX + ifindex, 1);
    };

    let announced = 0;
    let unregistrations = 0;
    let sets = 0;
    const deadline = Date.now() + 2000;
    while (Date.now() < deadline) {
      for (let i = 0; i < 200; i += 1) {
        const key = random(KEYS);
        const op = random(10);
        if (op < 6) {
          const dev = live[random(live.length)];
          markSet(key, dev.ifindex);
          table.set(key, dev.ifindex);
          sets += 1;
        } else if (op < 8) {
          table.delete(key);
        } else {
          const keys = new Uint32Array([key, (key + 1) % KEYS]);
          const devs = [live[random(live.length)], live[random(live.length)]];
          markSet(keys[0], devs[0].ifindex);
          markSet(keys[1], devs[1].ifindex);
          table.setBatch(keys, new Int32Array(devs.map((d) => d.ifindex)));
          sets += 2;
        }
      }
      // Unregister a device that is referenced right now, then announce it once resolved.
      const victim = live.splice(random(live.length), 1)[0];
      const ifindex = victim.ifindex;
      const done = victim.unregister();
      assertRedirectError(() => table.set(0, ifindex), 'ENODEV');
      spawn();
      await done;
      announced += 1;
      Atomics.store(state.deathSeq, ifindex, announced);
      Atomics.store(state.control, 1, announced);
      unregistrations += 1;
    }
    Atomics.store(state.control, 0, 1);
    const reports = await Promise.all(readers.map((r) => r.result));
    for (const report of reports) {
      assert.deepEqual(report.violations, []);
      assert.ok(report.reads > 0 && report.batchedReads > 0);
      assert.ok(report.hits > 0, 'readers saw no entries at all');
      assert.ok(report.distinctSeen > 8, `readers saw only ${report.distinctSeen} devices`);
    }
    assert.ok(unregistrations > 10, `only ${unregistrations} unregistrations`);
    assert.ok(sets > 1000);
    await table.close();
    await Promise.all(live.map((d) => d.unregister()));
  });

  it('short-lived workers that open a table by id leave grace periods working', async function () {
    this.timeout(60_000);
    const dev = createDevice();
    const table = new RedirectTable({ maxEntries: 16 });
    table.set(0, dev.ifindex);
    for (let wave = 0; wave < 6; wave += 1) {
      const batch = [0, 1, 2, 3].map((i) =>
        runWorker<number>('short-lived', { tableId: table.id, ifindex: dev.ifindex, close: (wave + i) % 2 === 0 })
      );
      const hits = await Promise.all(batch.map((b) => b.result));
      for (const h of hits) assert.ok(h > 0);
    }
    // Updates, an unregistration and a close all need grace periods to complete.
    for (let key = 0; key < 16; key += 1) table.set(key, dev.ifindex);
    table.deleteBatch(new Uint32Array([0, 1, 2]));
    const other = createDevice();
    table.set(5, other.ifindex);
    await other.unregister();
    assert.equal(table.get(5), undefined);
    const id = table.id;
    await table.close();
    // Every worker's handle was released (closed or torn down with its environment).
    assertRedirectError(() => RedirectTable.open(id), 'ENOENT');
    await dev.unregister();
    assert.equal(dev.usageCount, 0);
  });

  it('a worker terminated inside its per-frame section leaves grace periods working', async function () {
    this.timeout(60_000);
    const dev = createDevice({ ringSize: 64 });
    const table = new RedirectTable({ maxEntries: 8 });
    for (let key = 0; key < 8; key += 1) table.set(key, dev.ifindex);
    const worker = new Worker(workerFile('endless-redirector'), { workerData: { tableId: table.id } });
    worker.on('error', () => undefined);
    await new Promise((resolve) => worker.once('message', resolve));
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.ok(dev.stats().txFrames > 0);
    await worker.terminate();
    // Both need a grace period: the dead worker's section must have been closed at teardown.
    const id = table.id;
    await table.close();
    await dev.unregister();
    assertRedirectError(() => RedirectTable.open(id), 'ENOENT');
    const stats = dev.stats();
    assert.equal(table.closed, true);
    assert.ok(stats.txFrames + stats.drops > 0);
  });

  it('warns while an unregistration waits for references, and completes once they are gone', async function () {
    this.timeout(60_000);
    const dev = createDevice();
    const table = new RedirectTable({ maxEntries: 8 });
    for (let key = 0; key < 8; key += 1) table.set(key, dev.ifindex);
    // The worker's per-frame section never closes: no grace period can end, so the purged
    // entries keep their usage references on the device.
    const worker = new Worker(workerFile('endless-redirector'), { workerData: { tableId: table.id } });
    worker.on('error', () => undefined);
    await new Promise((resolve) => worker.once('message', resolve));
    await captureWarnings('RedirectTableWarning', async (warnings) => {
      const saved = Device.unregisterWarningMs;
      Device.unregisterWarningMs = 50;
      let resolved = false;
      const done = dev.unregister().then(() => (resolved = true));
      Device.unregisterWarningMs = saved;
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(resolved, false);
      assert.equal(dev.state, 'unregistering');
      assert.ok(warnings.length >= 2, `warnings: ${warnings.length}`);
      assert.match(warnings[0], new RegExp(`^unregister: waiting for ${dev.name} to become free\\. Usage count = [1-9]\\d*$`));
      await worker.terminate(); // teardown closes its section
      await done;
      const count = warnings.length;
      await new Promise((resolve) => setTimeout(resolve, 150));
      assert.equal(warnings.length, count, 'warnings continued after completion');
    });
    await table.close();
  });

  it('a worker terminated while it reads does not break later grace periods', async function () {
    this.timeout(60_000);
    const state = createSharedState();
    const dev = createDevice();
    const table = new RedirectTable({ maxEntries: KEYS });
    table.set(1, dev.ifindex);
    Atomics.store(state.everSet, 1 * MAX_IFINDEX + dev.ifindex, 1);
    const { worker } = runWorker<ReaderReport>('reader', { tableId: table.id, state });
    worker.on('error', () => undefined);
    await new Promise((resolve) => setTimeout(resolve, 200));
    await worker.terminate();
    const id = table.id;
    await table.close();
    assertRedirectError(() => RedirectTable.open(id), 'ENOENT');
    await dev.unregister();
  });
});
