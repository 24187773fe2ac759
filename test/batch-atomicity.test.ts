// setBatch keeps its word under concurrency: racers calling setBatch on a hash table near
// maxEntries either apply every key of their call (it returned) or none (it threw E2BIG), and
// the E2BIG message names a key of the batch that did not fit.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { RedirectHashTable } from '../lib';
import { assertRedirectError, createDevice } from './helpers';
import { BatchRaceData, batchKeys, CTRL_DONE, CTRL_ROUND } from './workers/batch-race-state';

const WORKERS = 2;
const ROUNDS = 40;
const BATCH = 1024;
const MAX_ENTRIES = 4096;
const ROOM = 1536; // either batch fits alone, both never do

describe('setBatch atomicity under concurrency (hash table)', () => {
  it('racing batches near maxEntries are all-or-nothing', async () => {
    const devices = Array.from({ length: WORKERS }, () => createDevice());
    const filler = createDevice();
    const table = new RedirectHashTable({ maxEntries: MAX_ENTRIES });
    const control = new Int32Array(new SharedArrayBuffer(16));
    const status = new Int32Array(new SharedArrayBuffer(4 * WORKERS));
    const namedKey = new Float64Array(new SharedArrayBuffer(8 * WORKERS));
    // Fill all but ROOM entries with keys no racer uses.
    const fill = new Uint32Array(MAX_ENTRIES - ROOM).map((_, i) => i);
    table.setBatch(fill, new Int32Array(fill.length).fill(filler.ifindex));
    const workers = devices.map((dev, worker) => {
      const data: BatchRaceData = {
        tableId: table.id, worker, workers: WORKERS, ifindex: dev.ifindex, rounds: ROUNDS, batch: BATCH,
        control, status, namedKey,
      };
      return new Worker(path.join(__dirname, 'workers', 'batch-racer.js'), { workerData: data });
    });
    const exited = workers.map((w) => new Promise((resolve, reject) => w.on('exit', resolve).on('error', reject)));
    const violations: string[] = [];
    let overflowed = 0;
    try {
      for (let round = 1; round <= ROUNDS; round += 1) {
        Atomics.store(control, CTRL_ROUND, round);
        Atomics.notify(control, CTRL_ROUND);
        while (Atomics.load(control, CTRL_DONE) < WORKERS * round) {
          await new Promise((resolve) => setTimeout(resolve, 1));
        }
        for (let worker = 0; worker < WORKERS; worker += 1) {
          const keys = batchKeys(worker, round, BATCH);
          const applied = keys.filter((key) => table.get(key) === devices[worker].ifindex).length;
          const st = status[worker];
          if (st === 2) violations.push(`round ${round} worker ${worker}: threw something else than E2BIG`);
          if (st === 0 && applied !== BATCH) violations.push(`round ${round} worker ${worker}: returned, applied ${applied}/${BATCH}`);
          if (st === 1) {
            overflowed += 1;
            if (applied !== 0) violations.push(`round ${round} worker ${worker}: threw E2BIG, applied ${applied}/${BATCH}`);
            if (!keys.includes(namedKey[worker])) violations.push(`round ${round} worker ${worker}: E2BIG names ${namedKey[worker]}, not a key of the batch`);
          }
          table.deleteBatch(keys);
        }
      }
    } finally {
      await Promise.all(exited);
      await table.close();
      await Promise.all([...devices, filler].map((dev) => dev.unregister()));
    }
    assert.deepEqual(violations, []);
    // Both racers never fit together: every round has at least one overflow.
    assert.ok(overflowed >= ROUNDS, `overflows: ${overflowed}`);
  });

  it('the E2BIG of a full hash table names the first key that did not fit, not one already present', async () => {
    const dev = createDevice();
    const table = new RedirectHashTable({ maxEntries: 4 });
    try {
      table.setBatch(new Uint32Array([10, 11, 12]), new Int32Array(3).fill(dev.ifindex));
      // 10 and 11 are replaces, 20 takes the last entry, 21 does not fit.
      assertRedirectError(
        () => table.setBatch(new Uint32Array([10, 11, 20, 21, 22]), new Int32Array(5).fill(dev.ifindex)),
        'E2BIG',
        /key 21\b/,
      );
      assert.deepEqual([...table.keys()], [10, 11, 12]);
    } finally {
      await table.close();
      await dev.unregister();
    }
  });
});
