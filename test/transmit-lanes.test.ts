import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { RedirectTable } from '../lib';
import { runSuites } from './children/run-suites';
import { createDevice } from './helpers';
import type { SubmitterData, SubmitterReport } from './workers/submitter';

function submitter(tableId: number, worker: number, frames: number, barrier: Int32Array): Promise<SubmitterReport> {
  const data: SubmitterData = { tableId, worker, keyCount: 1, frames, exitWithoutClose: false, together: { barrier, parties: 3 } };
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
    // The three threads transmit while all three are alive (a thread's lane goes back when it exits).
    const barrier = new Int32Array(new SharedArrayBuffer(8));
    const reports = await Promise.all([1, 2, 3].map((worker) => submitter(table.id, worker, 20_000, barrier)));
    // Each worker thread took a lane of its own (the first 8 producer threads alive at once
    // do): two or three were made for it (one may be the lane the device was created with).
    assert.ok(dev.stats().lanes >= 3 && dev.stats().lanes <= 4, `${dev.stats().lanes} lanes`);
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
    assert.equal(dev.stats().queued, 0);
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

  if (process.env.REDIRECT_TABLE_ASYMMETRIC_FENCE !== '0') {
    it('with every lane locked (no membarrier: REDIRECT_TABLE_ASYMMETRIC_FENCE=0) the lane, wake-up and conservation suites pass', function () {
      this.timeout(120_000);
      const run = runSuites(['transmit-lanes', 'readable', 'conservation', 'datapath'], { REDIRECT_TABLE_ASYMMETRIC_FENCE: '0' });
      assert.equal(run.failed, 0, run.stdout.slice(-4000));
      assert.ok(run.passed >= 30, run.stdout.slice(-2000));
      assert.equal(run.status, 0, run.stderr.slice(-2000));
    });
  }
});
