// Inputs are read once: typed arrays on a SharedArrayBuffer that another thread rewrites during
// a call must not make the call act on two different values of one element. A worker toggles
// every frame length between 100 and 100000 (MTU 1500) while redirect/broadcast run: no frame
// longer than the MTU may reach the device's ring. Likewise setBatch with keys toggled between
// two key sets: a call that threw E2BIG must leave the table exactly as it was.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { Device, RedirectError, RedirectHashTable, RedirectTable } from '../lib';
import { createDevice } from './helpers';

const MTU = 1500;
const RUN_MS = 2500; // a bound on the run, not an assertion: the test stops at the first violation

function startRewriter(target: Uint32Array, values: [number, number][]): { stop: () => Promise<void>; ready: () => boolean } {
  const control = new Int32Array(new SharedArrayBuffer(8));
  const worker = new Worker(path.join(__dirname, 'workers', 'input-rewriter.js'), {
    workerData: { target, control, values },
  });
  const exited = new Promise((resolve, reject) => worker.on('exit', resolve).on('error', reject));
  return {
    ready: () => Atomics.load(control, 1) === 1,
    stop: async () => {
      Atomics.store(control, 0, 1);
      await exited;
    },
  };
}

async function untilReady(rewriter: { ready: () => boolean }): Promise<void> {
  while (!rewriter.ready()) await new Promise((resolve) => setTimeout(resolve, 1));
}

// Calls `send` until RUN_MS passed or `check` reports a violation in what one call delivered to
// `dev` (its ids and lengths, drained after every call).
async function runFrames(
  dev: Device,
  lengths: Uint32Array,
  send: () => void,
  check: (ids: Uint32Array, lengths: Uint32Array, n: number) => number,
): Promise<{ calls: number; received: number; violations: number }> {
  const rewriter = startRewriter(lengths, Array.from({ length: lengths.length }, () => [100, 100_000]));
  const gotIds = new Uint32Array(1 << 16);
  const gotLengths = new Uint32Array(1 << 16);
  let calls = 0;
  let received = 0;
  let violations = 0;
  try {
    await untilReady(rewriter);
    const start = Date.now();
    while (violations === 0 && Date.now() - start < RUN_MS) {
      for (let i = 0; i < 64; i += 1) {
        send();
        calls += 1;
        const n = dev.receive(gotIds, gotLengths); // the ring holds far more than one call delivers
        received += n;
        violations += check(gotIds, gotLengths, n);
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
  } finally {
    await rewriter.stop();
  }
  return { calls, received, violations };
}

describe('inputs are read once (SharedArrayBuffer rewritten by another thread)', () => {
  const N = 64;
  let dev: Device;
  let table: RedirectTable;
  beforeEach(() => {
    dev = createDevice({ mtu: MTU, ringSize: 1 << 16 });
    table = new RedirectTable({ maxEntries: 4 });
    table.set(0, dev.ifindex);
  });
  afterEach(async () => {
    await table.close();
    await dev.unregister();
  });

  it('redirect never queues a frame longer than the MTU', async () => {
    const keys = new Uint32Array(N); // every frame to slot 0
    const ids = new Uint32Array(N).map((_, i) => i);
    const lengths = new Uint32Array(new SharedArrayBuffer(4 * N));
    const tooLong = (_: Uint32Array, got: Uint32Array, n: number): number => got.subarray(0, n).filter((l) => l > MTU).length;
    const result = await runFrames(dev, lengths, () => table.redirect(keys, ids, lengths), tooLong);
    assert.ok(result.received > 0, 'some frames got through');
    assert.equal(result.violations, 0, `frames longer than the MTU reached the ring: ${JSON.stringify(result)}`);
  });

  it('broadcast sends each frame to every target or to none, with one length', async () => {
    // Four entries for one device: a frame read once is either short enough for all four
    // copies or for none; never longer than the MTU.
    table.set(1, dev.ifindex);
    table.set(2, dev.ifindex);
    table.set(3, dev.ifindex);
    const ids = new Uint32Array(N).map((_, i) => i);
    const lengths = new Uint32Array(new SharedArrayBuffer(4 * N));
    const copies = new Uint32Array(N);
    const check = (got: Uint32Array, gotLengths: Uint32Array, n: number): number => {
      copies.fill(0);
      let bad = 0;
      for (let j = 0; j < n; j += 1) {
        copies[got[j]] += 1;
        if (gotLengths[j] > MTU) bad += 1;
      }
      return bad + copies.filter((c) => c !== 0 && c !== 4).length;
    };
    const result = await runFrames(dev, lengths, () => table.broadcast(ids, lengths), check);
    assert.ok(result.received > 0, 'some frames got through');
    assert.equal(result.violations, 0, `a frame reached only some targets or was too long: ${JSON.stringify(result)}`);
  });

  it('setBatch with keys rewritten meanwhile is still all-or-nothing', async () => {
    const K = 256;
    const ROOM = 8;
    const hash = new RedirectHashTable({ maxEntries: K + ROOM });
    const other = createDevice();
    // Set A is present (ifindex of `other`); set B is absent. Keys toggle between A[i] and B[i].
    const setA = new Uint32Array(K).map((_, i) => 1000 + i);
    const setB = new Uint32Array(K).map((_, i) => 5000 + i);
    const inAorB = new Set([...setA, ...setB]);
    const keys = new Uint32Array(new SharedArrayBuffer(4 * K));
    const ifindexes = new Int32Array(K).fill(dev.ifindex);
    const reset = (): void => {
      hash.deleteBatch(setB);
      hash.setBatch(setA, new Int32Array(K).fill(other.ifindex));
    };
    const violations: string[] = [];
    const rewriter = startRewriter(keys, Array.from({ length: K }, (_, i) => [setA[i], setB[i]]));
    let calls = 0;
    let overflows = 0;
    try {
      await untilReady(rewriter);
      const start = Date.now();
      while (violations.length === 0 && Date.now() - start < RUN_MS) {
        for (let round = 0; round < 16; round += 1) {
          reset();
          calls += 1;
          let threw: unknown;
          try {
            hash.setBatch(keys, ifindexes);
          } catch (error) {
            threw = error;
          }
          const present = [...hash.keys()];
          const stray = present.filter((key) => !inAorB.has(key));
          if (stray.length > 0) violations.push(`keys outside both sets: ${stray.slice(0, 4).join(',')}`);
          if (threw !== undefined) {
            if (!(threw instanceof RedirectError) || threw.code !== 'E2BIG') throw threw;
            overflows += 1;
            const bPresent = setB.filter((key) => hash.get(key) !== undefined).length;
            const aChanged = setA.filter((key) => hash.get(key) !== other.ifindex).length;
            if (bPresent !== 0 || aChanged !== 0) violations.push(`E2BIG yet ${bPresent} B keys added, ${aChanged} A keys changed`);
          } else if (present.length > K + ROOM) {
            violations.push(`more than maxEntries: ${present.length}`);
          }
        }
        await new Promise((resolve) => setImmediate(resolve));
      }
    } finally {
      await rewriter.stop();
      await hash.close();
      await other.unregister();
    }
    assert.deepEqual(violations, [], `after ${calls} calls, ${overflows} E2BIG`);
  });
});
