import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { Device, Namespace, RedirectTable } from '../lib';
import { BULK_SIZE } from '../lib/constants';
import { runChild } from './children/run';
import type { ReadableTerminateReport } from './children/readable-terminate';
import { createDevice } from './helpers';
import type { ConsumerData, ConsumerMessage, ConsumerMode, ProducerData, SendCommand, SendReport } from './workers/wake-shared';

// dev.readable() / dev.frames(): consumers wait for frames instead of polling; producers in
// other threads wake them once per empty -> non-empty transition of the ring.

const workers = path.join(__dirname, 'workers');
const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A Promise and whether it has settled yet. */
function track(promise: Promise<void>): { promise: Promise<void>; settled: () => boolean } {
  let settled = false;
  const tracked = promise.then(() => {
    settled = true;
  });
  return { promise: tracked, settled: () => settled };
}

function startProducer(table: RedirectTable): Worker {
  const data: ProducerData = { tableId: table.id };
  return new Worker(path.join(workers, 'wake-producer.js'), { workerData: data });
}

/** Has a producer worker send `count` frames from id `first`; resolves with the accepted ids. */
function send(worker: Worker, command: Omit<SendCommand, 'kind'>): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const onMessage = (report: SendReport): void => {
      if (report.kind !== 'sent') return;
      worker.off('message', onMessage);
      resolve(report.accepted);
    };
    worker.on('message', onMessage);
    worker.once('error', reject);
    worker.postMessage({ kind: 'send', ...command });
  });
}

function startConsumer(dev: Device, mode: ConsumerMode): { worker: Worker; next: () => Promise<ConsumerMessage> } {
  const data: ConsumerData = { namespaceId: dev.namespace.id, ifindex: dev.ifindex, mode };
  const worker = new Worker(path.join(workers, 'wake-consumer.js'), { workerData: data });
  const queue: ConsumerMessage[] = [];
  const waiting: ((message: ConsumerMessage) => void)[] = [];
  worker.on('message', (message: ConsumerMessage) => {
    const resolve = waiting.shift();
    if (resolve) resolve(message);
    else queue.push(message);
  });
  worker.on('error', (error) => {
    throw error;
  });
  const next = (): Promise<ConsumerMessage> =>
    new Promise((resolve) => {
      const message = queue.shift();
      if (message) resolve(message);
      else waiting.push(resolve);
    });
  return { worker, next };
}

function drain(dev: Device): number[] {
  const ids = new Uint32Array(256);
  const got: number[] = [];
  for (let n; (n = dev.receive(ids)) > 0; ) got.push(...ids.subarray(0, n));
  return got;
}

describe('Device.readable() and frames()', () => {
  let dev: Device;
  let table: RedirectTable;
  const producers: Worker[] = [];

  beforeEach(() => {
    dev = createDevice({ ringSize: 1 << 16 });
    table = new RedirectTable({ maxEntries: 1 });
    table.set(0, dev.ifindex);
  });

  afterEach(async () => {
    await Promise.all(producers.splice(0).map((w) => w.terminate()));
    await table.close();
    await dev.unregister();
  });

  const producer = (): Worker => {
    const worker = startProducer(table);
    producers.push(worker);
    return worker;
  };

  describe('readable()', () => {
    it('resolves at once when frames are waiting, without a wake-up', async () => {
      table.redirect(new Uint32Array(3), new Uint32Array([7, 8, 9]), new Uint32Array(3).fill(64), new Int32Array(3));
      const ready = track(dev.readable());
      await tick();
      assert.ok(ready.settled(), 'resolved within one turn');
      assert.equal(dev.stats().waiters, 0);
      assert.equal(dev.stats().wakeups, 0);
      assert.deepEqual(drain(dev), [7, 8, 9]);
    });

    it('resolves after a later redirect from another worker thread: one wake-up per empty -> non-empty transition', async () => {
      const worker = producer();
      const first = track(dev.readable());
      await tick();
      assert.equal(first.settled(), false, 'nothing to read yet');
      assert.equal(dev.stats().waiters, 1);

      // 64 frames in bulks of 16: the first bulk wakes, the next three find the flag disarmed.
      const B = BULK_SIZE;
      assert.equal((await send(worker, { first: 0, count: 4 * B, batch: B, yieldEvery: 1 })).length, 4 * B);
      await first.promise;
      assert.deepEqual([dev.stats().wakeups, dev.stats().queued, dev.stats().waiters], [1, 4 * B, 0]);

      // Frames already waiting: resolved at once, no wake-up.
      await dev.readable();
      // Frames sent while nobody waits: no wake-up either.
      await send(worker, { first: 4 * B, count: 4 * B, batch: B });
      assert.equal(dev.stats().wakeups, 1);
      assert.equal(drain(dev).length, 8 * B);

      // The next transition wakes every waiter at once, in this thread and in a worker.
      const here = [dev.readable(), dev.readable(), dev.readable()].map(track);
      const there = startConsumer(dev, 'readable');
      assert.deepEqual(await there.next(), { kind: 'waiting' });
      assert.equal(dev.stats().waiters, 4);
      await send(worker, { first: 8 * B, count: 10 * B, batch: B, yieldEvery: 2 });
      await Promise.all(here.map((r) => r.promise));
      const resolved = await there.next(); // woken by the first bulk; the worker counts what has come since
      assert.ok(resolved.kind === 'resolved' && resolved.queued >= B, JSON.stringify(resolved));
      assert.deepEqual([dev.stats().wakeups, dev.stats().waiters, dev.stats().bulks], [2, 0, 18]);
      await there.worker.terminate();
    });

    it('resolves in a worker when the main thread redirects', async () => {
      const there = startConsumer(dev, 'readable');
      assert.deepEqual(await there.next(), { kind: 'waiting' });
      table.redirect(new Uint32Array(1), new Uint32Array([5]), new Uint32Array([64]), new Int32Array(1));
      assert.deepEqual(await there.next(), { kind: 'resolved', queued: 1 });
      assert.equal(dev.stats().wakeups, 1);
      await there.worker.terminate();
    });

    it('resolves when the device is released, and at once afterwards', async () => {
      const waits = [dev.readable(), dev.readable()].map(track);
      const there = startConsumer(dev, 'readable');
      assert.deepEqual(await there.next(), { kind: 'waiting' });
      await tick();
      assert.ok(waits.every((w) => !w.settled()));
      await table.close();
      await dev.unregister();
      await Promise.all(waits.map((w) => w.promise));
      assert.deepEqual(await there.next(), { kind: 'resolved', queued: 0 });
      assert.equal(dev.state, 'released');
      assert.deepEqual([dev.stats().waiters, dev.stats().wakeups], [0, 0]);
      const after = track(dev.readable());
      await tick();
      assert.ok(after.settled());
      await there.worker.terminate();
    });

    it('resolves when the device is released by destroying its namespace', async () => {
      const ns = new Namespace(`rd${process.pid % 1000}`);
      const inside = ns.createDevice('rd0');
      const ready = track(inside.readable());
      await tick();
      assert.equal(ready.settled(), false);
      await ns.destroy();
      await ready.promise;
      assert.equal(inside.state, 'released');
    });
  });

  describe('frames()', () => {
    it('delivers every frame sent by 2 producer workers exactly once, and ends after unregister', async () => {
      const ids = new Uint32Array(100);
      const lengths = new Uint32Array(100);
      const received: number[] = [];
      let steps = 0;
      const consuming = (async () => {
        for await (const n of dev.frames(ids, lengths)) {
          assert.ok(n > 0 && n <= 100);
          steps += 1;
          for (let i = 0; i < n; i += 1) {
            assert.equal(lengths[i], 64);
            received.push(ids[i]);
          }
        }
      })();
      const sent = await Promise.all([0, 1].map((w) => send(producer(), { first: w << 20, count: 12_000, batch: 40, yieldEvery: 1 })));
      await table.close();
      await dev.unregister();
      await consuming; // ends: released, ring empty
      const accepted = [...sent[0], ...sent[1]];
      assert.equal(accepted.length, 24_000);
      assert.equal(new Set(received).size, received.length, 'no frame received twice');
      assert.deepEqual([...received].sort((a, b) => a - b), accepted.sort((a, b) => a - b));
      const stats = dev.stats();
      assert.deepEqual([stats.txFrames, stats.drops, stats.queued, stats.waiters], [24_000, 0, 0, 0]);
      assert.ok(steps > 0);
      // At most one wake-up per wait (each wait the frames ended was followed by a step), never
      // one per frame or per bulk. (How many waits there were depends on scheduling.)
      assert.ok(stats.wakeups >= 1 && stats.wakeups <= steps, `${stats.wakeups} wake-ups for ${steps} steps`);
    });

    it('runs in a worker, and yields frames queued before the release before it ends', async () => {
      const there = startConsumer(dev, 'frames');
      assert.deepEqual(await there.next(), { kind: 'waiting' }); // has its handle, frames() started
      const worker = producer();
      const accepted = await send(worker, { first: 1, count: 500, batch: 25, yieldEvery: 1 });
      await table.close();
      await dev.unregister();
      const done = await there.next();
      assert.equal(done.kind, 'frames');
      if (done.kind !== 'frames') return;
      assert.deepEqual(done.ids, accepted);
      await there.worker.terminate();
    });

    it('ends at once on a released device with an empty ring, after the frames left in it', async () => {
      table.redirect(new Uint32Array(2), new Uint32Array([1, 2]), new Uint32Array(2).fill(64), new Int32Array(2));
      await table.close();
      await dev.unregister();
      const steps: number[][] = [];
      const ids = new Uint32Array(1);
      for await (const n of dev.frames(ids)) steps.push([n, ids[0]]);
      assert.deepEqual(steps, [
        [1, 1],
        [1, 2],
      ]);
    });

    it('throws what receive() throws for bad arguments, and RangeError for arrays without room', () => {
      const thrown = (fn: () => unknown): Error => {
        try {
          fn();
        } catch (error) {
          return error as Error;
        }
        assert.fail('did not throw');
      };
      const bad: [unknown, unknown][] = [
        [undefined, undefined],
        [null, undefined],
        [[1, 2], undefined],
        [new Int32Array(2), undefined],
        [new Float64Array(2), undefined],
        [new Uint32Array(2), 'x'],
        [new Uint32Array(2), new Int32Array(2)],
        [new Uint32Array(2), null],
      ];
      for (const [ids, lengths] of bad) {
        const fromReceive = thrown(() => dev.receive(ids as Uint32Array, lengths as Uint32Array));
        const fromFrames = thrown(() => dev.frames(ids as Uint32Array, lengths as Uint32Array));
        assert.equal(fromFrames.constructor, fromReceive.constructor, String(ids));
        assert.equal((fromFrames as NodeJS.ErrnoException).code, (fromReceive as NodeJS.ErrnoException).code);
        assert.equal(fromFrames.message, fromReceive.message);
      }
      for (const [ids, lengths] of [
        [new Uint32Array(0), undefined],
        [new Uint32Array(4), new Uint32Array(0)],
      ]) {
        const error = thrown(() => dev.frames(ids as Uint32Array, lengths));
        assert.ok(error instanceof RangeError);
        assert.equal((error as NodeJS.ErrnoException).code, 'ERR_OUT_OF_RANGE');
      }
      assert.equal(dev.stats().waiters, 0);
    });
  });

  describe('threads that end while waiting (child process)', () => {
    for (const scenario of ['terminate', 'exit-worker', 'exit-main']) {
      it(`${scenario}: no crash, nothing left listed`, () => {
        const run = runChild<ReadableTerminateReport>('readable-terminate', [scenario]);
        assert.equal(run.signal, null, run.stderr);
        assert.equal(run.status, 0, run.stderr);
        assert.ok(run.report, `no report; stderr: ${run.stderr}`);
        assert.deepEqual(run.report.failures, []);
        if (scenario !== 'exit-main') assert.ok(run.report.checks.length > 5);
      });
    }
  });
});
