import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { memoryUsage, RedirectTable } from '../lib';
import { createDevice } from './helpers';
import type { SubmitterData, SubmitterReport } from './workers/submitter';

function submitter(tableId: number, worker: number, frames: number): Promise<SubmitterReport> {
  const data: SubmitterData = { tableId, worker, keyCount: 1, frames, exitWithoutClose: false };
  const w = new Worker(path.join(__dirname, 'workers', 'submitter.js'), { workerData: data });
  return new Promise((resolve, reject) => {
    w.once('message', resolve);
    w.once('error', reject);
  });
}

describe('transmit lanes: several producer threads into one device', () => {
  it('each producer thread gets a ring lane of its own; frames are FIFO per producer and none is lost or doubled', async function () {
    this.timeout(60_000);
    const dev = createDevice({ ringSize: 1 << 15 });
    const table = new RedirectTable({ maxEntries: 1 });
    table.set(0, dev.ifindex);
    const ringsBefore = memoryUsage().rings;
    const reports = await Promise.all([1, 2, 3].map((worker) => submitter(table.id, worker, 20_000)));
    // Each worker thread that transmitted added one lane of ringSize descriptors (8 bytes each),
    // unless two threads share a lane (thread slot modulo 8): at least one lane was added.
    const added = (memoryUsage().rings - ringsBefore) / ((1 << 15) * 8);
    assert.ok(Number.isInteger(added) && added >= 1 && added <= 3, `${added} lanes added`);
    const ids = new Uint32Array(1 << 17);
    const n = dev.receive(ids);
    const last = new Map<number, number>();
    for (const id of ids.subarray(0, n)) {
      const worker = id >>> 20;
      const seq = id & 0xfffff;
      assert.ok((last.get(worker) ?? -1) < seq, `worker ${worker}: ${seq} after ${last.get(worker)}`);
      last.set(worker, seq);
    }
    const delivered = reports.reduce((sum, r) => sum + r.delivered.length, 0);
    assert.equal(n, delivered);
    assert.equal(delivered, 60_000, 'a 32768-frame lane per producer holds 20,000 frames each');
    assert.deepEqual(dev.stats().queued, 0);
    assert.equal(dev.stats().txFrames, 60_000);
    await table.close();
    await dev.unregister();
  });

  it('ringSize bounds each lane: frames past it get -ENOBUFS', () => {
    const dev = createDevice({ ringSize: 4 });
    const table = new RedirectTable({ maxEntries: 1 });
    table.set(0, dev.ifindex);
    const verdicts = new Int32Array(6);
    assert.equal(table.redirect(new Uint32Array(6), Uint32Array.from([0, 1, 2, 3, 4, 5]), new Uint32Array(6).fill(64), verdicts), 4);
    assert.deepEqual([...verdicts], [0, 0, 0, 0, -105, -105]);
    assert.equal(dev.stats().queued, 4);
    return table.close().then(() => dev.unregister());
  });
});
