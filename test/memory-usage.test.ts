import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { Device, memoryUsage, MemoryUsage, Namespace, RedirectHashTable, RedirectTable } from '../lib';
import { native } from '../lib/native';
import { collectGarbage, createDevice } from './helpers';

const KINDS = ['tables', 'entries', 'rings', 'devices', 'namespaces', 'threads'] as const;

/** Collects garbage until the figures stop moving (finalizers and grace periods of earlier tests). */
async function settled(): Promise<MemoryUsage> {
  assert.ok(Namespace.root); // made on first use: not part of what a test counts
  let last = memoryUsage();
  for (let i = 0; i < 50; i += 1) {
    await collectGarbage();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const now = memoryUsage();
    if (KINDS.every((k) => now[k] === last[k])) return now;
    last = now;
  }
  return last;
}

/** Waits until every kind is back at or below `baseline`. */
async function backTo(baseline: MemoryUsage): Promise<MemoryUsage> {
  let now = memoryUsage();
  for (let i = 0; i < 200 && KINDS.some((k) => now[k] > baseline[k]); i += 1) {
    await collectGarbage();
    await new Promise((resolve) => setTimeout(resolve, 20));
    now = memoryUsage();
  }
  return now;
}

describe('memoryUsage()', () => {
  it('totals its kinds', () => {
    const usage = memoryUsage();
    assert.deepEqual(Object.keys(usage).sort(), [...KINDS, 'total'].sort());
    assert.equal(usage.total, KINDS.reduce((sum, k) => sum + usage[k], 0));
    for (const k of KINDS) assert.ok(Number.isInteger(usage[k]) && usage[k] >= 0, `${k}: ${usage[k]}`);
  });

  for (const [label, make] of [
    ['an array', (n: number) => new RedirectTable({ maxEntries: n })],
    ['a hash', (n: number) => new RedirectHashTable({ maxEntries: n })],
  ] as const) {
    it(`counts ${label} table, a device's ring and entries, and gives every byte back once released`, async () => {
      const before = await settled();
      let table: RedirectTable | undefined = make(100_000);
      let device: Device | undefined = createDevice({ ringSize: 1024 });
      for (let key = 0; key < 1000; key += 1) table.set(key, device.ifindex);
      const held = memoryUsage();
      assert.ok(held.tables - before.tables >= 100_000 * 8, `tables +${held.tables - before.tables}`);
      assert.equal(held.rings - before.rings, 1024 * 8);
      assert.ok(held.devices > before.devices);
      assert.ok(held.entries - before.entries >= 1000 * 16, `entries +${held.entries - before.entries}`);

      await table.close();
      await device.unregister();
      table = undefined;
      device = undefined;
      const after = await backTo(before);
      for (const k of KINDS) assert.ok(after[k] <= before[k], `${k}: ${before[k]} before, ${after[k]} after`);
    });
  }

  it('counts replaced entries until their grace period ends, then only the live one', async () => {
    const table = new RedirectTable({ maxEntries: 4 });
    const device = createDevice();
    const before = await settled();
    table.set(0, device.ifindex);
    const one = memoryUsage().entries - before.entries;
    assert.ok(one > 0);
    for (let i = 0; i < 10_000; i += 1) table.set(0, device.ifindex);
    let now = memoryUsage();
    for (let i = 0; i < 200 && now.entries - before.entries > one; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      now = memoryUsage();
    }
    assert.equal(now.entries - before.entries, one);
    await table.close();
    await device.unregister();
  });

  it("counts a redirecting worker's per-thread state until the worker exits", async () => {
    const table = new RedirectTable({ maxEntries: 4 });
    const before = await settled();
    const worker = new Worker(path.join(__dirname, 'workers', 'redirect-and-wait.js'), { workerData: { tableId: table.id } });
    const inWorker = await new Promise<MemoryUsage>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    assert.ok(inWorker.threads > before.threads, `threads ${before.threads} before, ${inWorker.threads} in the worker`);
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    worker.postMessage('exit');
    await exited;
    const after = await backTo(before);
    assert.ok(after.threads <= before.threads, `threads ${before.threads} before, ${after.threads} after the exit`);
    await table.close();
  });
});

describe('free memory of ended workers', () => {
  it('is handed back to the system (malloc_trim) shortly after a worker that used the package ends', async function () {
    this.timeout(20_000);
    const table = new RedirectTable({ maxEntries: 4 });
    const before = native.arenaTrims().trims;
    const worker = new Worker(path.join(__dirname, 'workers', 'redirect-and-wait.js'), { workerData: { tableId: table.id } });
    await new Promise((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    worker.postMessage('exit');
    await exited;
    // One trim follows the exit after a quiet period (and at most a second after the previous trim).
    for (let i = 0; i < 100 && native.arenaTrims().trims === before; i += 1) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.ok(native.arenaTrims().trims > before, 'no trim after the worker ended');
    await table.close();
  });
});

describe('REDIRECT_TABLE_ARENA_TRIM=0', () => {
  it('turns the trims after ended workers off', function () {
    this.timeout(30_000);
    const script = `
      const { Worker } = require('node:worker_threads');
      const { RedirectTable } = require(${JSON.stringify(path.join(__dirname, '..', 'lib'))});
      const { native } = require(${JSON.stringify(path.join(__dirname, '..', 'lib', 'native'))});
      const table = new RedirectTable({ maxEntries: 4 });
      const worker = new Worker(${JSON.stringify(path.join(__dirname, 'workers', 'redirect-and-wait.js'))}, { workerData: { tableId: table.id } });
      worker.once('message', () => worker.postMessage('exit'));
      worker.once('exit', () => setTimeout(() => { process.stdout.write(String(native.arenaTrims().trims)); table.close(); }, 1500));
    `;
    const run = (env: NodeJS.ProcessEnv): number => {
      const child = spawnSync(process.execPath, ['-e', script], { env: { ...process.env, ...env }, encoding: 'utf8' });
      assert.equal(child.status, 0, child.stderr);
      return Number(child.stdout.trim());
    };
    assert.equal(run({ REDIRECT_TABLE_ARENA_TRIM: '0' }), 0);
    assert.ok(run({ REDIRECT_TABLE_ARENA_TRIM: '1' }) >= 1);
  });
});
