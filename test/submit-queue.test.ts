import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { Device, MAX_SUBMIT_CAPACITY, memoryUsage, RedirectHashTable, RedirectTable, SubmitQueue, Verdict } from '../lib';
import { runSuites } from './children/run-suites';
import { assertRangeError, assertRedirectError, assertTypeError, createDevice } from './helpers';
import type { SubmitterData, SubmitterReport } from './workers/submitter';

const FALLBACK = process.env.REDIRECT_TABLE_EXTERNAL_BUFFERS === '0';

function drainIds(dev: Device): number[] {
  const ids = new Uint32Array(1 << 16);
  const n = dev.receive(ids);
  return [...ids.subarray(0, n)];
}

async function collectGarbage(): Promise<void> {
  for (let i = 0; i < 8; i += 1) {
    global.gc!();
    await new Promise((resolve) => setImmediate(resolve));
  }
}

function stage(queue: SubmitQueue, frames: [key: number, id: number, length: number][]): number {
  frames.forEach(([key, id, length], i) => {
    queue.keys[i] = key;
    queue.ids[i] = id;
    queue.lengths[i] = length;
  });
  return frames.length;
}

describe(`submit queues${FALLBACK ? ' (fallback: REDIRECT_TABLE_EXTERNAL_BUFFERS=0)' : ''}`, () => {
  let a: Device;
  let small: Device;
  let table: RedirectTable;

  beforeEach(() => {
    a = createDevice({ mtu: 1500 });
    small = createDevice({ ringSize: 4 });
    table = new RedirectTable({ maxEntries: 16 });
    table.set(1, a.ifindex);
    table.set(2, small.ifindex);
  });

  afterEach(async () => {
    await table.close();
    await Promise.all([a.unregister(), small.unregister()]);
  });

  it('submit(n) redirects the first n staged frames: verdicts, the delivered count, the frames in order', () => {
    const queue = table.submitQueue({ capacity: 8 });
    assert.equal(queue.capacity, 8);
    for (const array of [queue.keys, queue.ids, queue.lengths, queue.verdicts]) assert.equal(array.length, 8);
    assert.ok(queue.keys instanceof Uint32Array && queue.verdicts instanceof Int32Array);
    const n = stage(queue, [
      [1, 10, 60],
      [3, 11, 60],
      [1, 12, 9000],
      [1, 13, 60],
      [9, 14, 60],
    ]);
    queue.keys[5] = 1; // staged beyond n: not sent
    queue.ids[5] = 99;
    assert.equal(queue.submit(n), 2);
    assert.deepEqual([...queue.verdicts.subarray(0, n)], [Verdict.OK, Verdict.ENOENT, Verdict.EMSGSIZE, Verdict.OK, Verdict.ENOENT]);
    assert.deepEqual(drainIds(a), [10, 13]);
    assert.equal(queue.submit(0), 0);
    assert.deepEqual(drainIds(a), []);
  });

  it('the same arrays serve every submit; a frame a full ring refuses is -ENOBUFS', () => {
    const queue = table.submitQueue({ capacity: 6 });
    const arrays = [queue.keys, queue.ids, queue.lengths, queue.verdicts];
    const n = stage(queue, [2, 2, 2, 2, 2, 2].map((key, i): [number, number, number] => [key, 100 + i, 60]));
    assert.equal(queue.submit(n), 4); // a 4-frame ring
    assert.deepEqual([...queue.verdicts], [0, 0, 0, 0, Verdict.ENOBUFS, Verdict.ENOBUFS]);
    assert.deepEqual(drainIds(small), [100, 101, 102, 103]);
    assert.equal(queue.submit(2), 2);
    assert.deepEqual(drainIds(small), [100, 101]);
    assert.deepEqual([queue.keys, queue.ids, queue.lengths, queue.verdicts], arrays);
    assert.equal(table.stats().noBufs, 2);
  });

  it('works on hash tables, and on a handle opened again', async () => {
    const hash = new RedirectHashTable({ maxEntries: 4 });
    hash.set(0xdead_beef, a.ifindex);
    const queue = hash.submitQueue();
    assert.equal(queue.capacity, 256);
    stage(queue, [[0xdead_beef, 7, 64]]);
    assert.equal(queue.submit(1), 1);
    const again = RedirectTable.open(table.id);
    const second = again.submitQueue({ capacity: 1 });
    stage(second, [[1, 8, 64]]);
    assert.equal(second.submit(1), 1);
    assert.deepEqual(drainIds(a), [7, 8]);
    await Promise.all([hash.close(), again.close()]);
  });

  it('rejects bad options and a bad n with the usual errors', () => {
    assertTypeError(() => table.submitQueue(null as unknown as object));
    assertTypeError(() => table.submitQueue({ capacity: '8' as unknown as number }));
    for (const capacity of [0, -1, 1.5, MAX_SUBMIT_CAPACITY + 1, NaN, Infinity]) {
      assertRangeError(() => table.submitQueue({ capacity }));
    }
    const queue = table.submitQueue({ capacity: 4 });
    assertTypeError(() => queue.submit('1' as unknown as number));
    assertTypeError(() => queue.submit(undefined as unknown as number));
    for (const n of [-1, 5, 1.5, NaN]) assertRangeError(() => queue.submit(n));
    assert.equal(a.stats().txFrames, 0);
  });

  it('after close(): submitQueue and submit throw EBADF; other handles keep working', async () => {
    const other = RedirectTable.open(table.id);
    const queue = other.submitQueue({ capacity: 2 });
    await other.close();
    assertRedirectError(() => queue.submit(1), 'EBADF');
    assertRedirectError(() => other.submitQueue(), 'EBADF');
    const mine = table.submitQueue({ capacity: 1 });
    stage(mine, [[1, 5, 64]]);
    assert.equal(mine.submit(1), 1);
    drainIds(a);
  });

  it('is not sent to another thread, and its arrays are not transferred', () => {
    const queue = table.submitQueue({ capacity: 2 });
    assert.throws(() => structuredClone(queue), { name: 'DataCloneError', code: 'ERR_REDIRECT_TABLE_NOT_CLONEABLE' });
    if (FALLBACK) return;
    // Node 22+ refuses to transfer the native memory; Node 20 copies it: the arrays stay.
    const buffer = queue.keys.buffer as ArrayBuffer;
    try {
      structuredClone(buffer, { transfer: [buffer] });
    } catch (error) {
      assert.equal((error as Error).name, 'DataCloneError');
    }
    assert.equal(queue.keys.length, 2);
  });

  it('its memory is freed once when the queue is collected, and a detached array cannot hurt submit', async function () {
    if (FALLBACK) this.skip(); // the fallback's arrays are ordinary JS memory
    await collectGarbage();
    const before = memoryUsage().threads;
    let queue: SubmitQueue | undefined = table.submitQueue({ capacity: 4096 });
    assert.equal(memoryUsage().threads - before, 4096 * 16);
    const detachAndSubmit = (q: SubmitQueue): void => {
      const buffer = q.keys.buffer as ArrayBuffer & { transfer?: () => ArrayBuffer };
      if (typeof buffer.transfer !== 'function') return; // Node 20: no way to detach it
      // Node 22+: transfer() detaches this view and moves the native memory to a new buffer.
      const moved = new Uint32Array(buffer.transfer());
      assert.equal(q.keys.length, 0);
      moved[0] = 1; // still the staging area: keys[0]
      moved[4096] = 77; // ids[0]
      moved[8192] = 64; // lengths[0]
      assert.equal(q.submit(1), 1);
      assert.deepEqual(drainIds(a), [77]);
    };
    detachAndSubmit(queue);
    queue = undefined;
    await collectGarbage();
    assert.equal(memoryUsage().threads - before, 0);
  });

  it('several worker threads submit into one table: every frame delivered is received once, none refused is', async function () {
    this.timeout(60_000);
    const big = createDevice({ ringSize: 1 << 16 });
    const tiny = createDevice({ ringSize: 64 });
    const keyCount = 8;
    const shared = new RedirectTable({ maxEntries: keyCount });
    for (let key = 0; key < keyCount; key += 1) shared.set(key, (key % 2 === 0 ? big : tiny).ifindex);
    const run = (worker: number, exitWithoutClose: boolean): Promise<SubmitterReport> => {
      const data: SubmitterData = { tableId: shared.id, worker, keyCount, frames: 20_000, exitWithoutClose };
      const w = new Worker(path.join(__dirname, 'workers', 'submitter.js'), { workerData: data });
      return new Promise((resolve, reject) => {
        w.once('message', resolve);
        w.once('error', reject);
      });
    };
    const reports = await Promise.all([run(1, false), run(2, true), run(3, false)]);
    const received = [...drainIds(big), ...drainIds(tiny)];
    const delivered = reports.flatMap((r) => r.delivered);
    const refused = reports.flatMap((r) => r.refused);
    for (const r of reports) {
      assert.ok(r.capacityOk);
      assert.equal(r.returned, r.delivered.length);
    }
    assert.equal(new Set(received).size, received.length, 'a frame was received twice');
    assert.deepEqual(new Set(received), new Set(delivered));
    assert.ok(refused.length > 0, 'the 64-frame ring never refused a frame');
    assert.equal(delivered.length + refused.length, 60_000);
    const dropped = big.stats().drops + tiny.stats().drops;
    assert.equal(dropped, refused.length);
    await shared.close();
    await Promise.all([big.unregister(), tiny.unregister()]);
  });

  if (!FALLBACK) {
    it('the submit-queue and datapath suites pass where external buffers are refused (lib/ stages in JS arrays)', function () {
      this.timeout(120_000);
      const run = runSuites(['submit-queue', 'datapath'], { REDIRECT_TABLE_EXTERNAL_BUFFERS: '0' });
      assert.equal(run.failed, 0, run.stdout.slice(-4000));
      assert.ok(run.passed >= 10, run.stdout.slice(-2000));
      assert.equal(run.skipped, 1); // only the native-memory lifetime test
      assert.equal(run.status, 0, run.stderr.slice(-2000));
    });

    it('the fallback is in effect in such a child: the arrays are ordinary memory', () => {
      const script = `
        const { RedirectTable } = require(${JSON.stringify(path.join(__dirname, '..', 'lib'))});
        const { memoryUsage } = require(${JSON.stringify(path.join(__dirname, '..', 'lib'))});
        const before = memoryUsage().threads;
        const q = new RedirectTable({ maxEntries: 2 }).submitQueue({ capacity: 1024 });
        process.stdout.write(JSON.stringify({ native: memoryUsage().threads - before, length: q.keys.length }));
      `;
      const child = spawnSync(process.execPath, ['-e', script], {
        env: { ...process.env, REDIRECT_TABLE_EXTERNAL_BUFFERS: '0' },
        encoding: 'utf8',
        timeout: 60_000,
      });
      assert.equal(child.status, 0, child.stderr);
      assert.deepEqual(JSON.parse(child.stdout), { native: 0, length: 1024 });
    });
  }
});
