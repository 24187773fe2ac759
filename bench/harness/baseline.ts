// Single-thread figures on a quiet table, measured in the same run before the readers start:
// the floor of a native call, of a call that converts one argument and one result, and the
// table's own per-call and batched lookups.
import { Device, RedirectTable } from '../../lib';
import { native } from '../../lib/native';
import { loadPeers } from '../peers/native-addon';

export interface Baseline {
  noopNs: number;
  echoNs: number;
  getNs: number;
  getBatchNsPerKey: number;
  /** the same batch through a plain native loop over a u32 array (bench-only addon): the floor a
   * batched lookup through N-API can reach */
  plainLoopNsPerKey: number;
  /** batched redirect to the devices' rings, the rings drained in the same loop */
  redirectNsPerFrame: number;
  redirectBulkAverage: number;
  /** redirect of 3-destination batches on a 16-slot and on a 1,000,000-slot table: flush cost
   * follows the pending queues, not maxEntries, so the two should match */
  flushScaling: { smallTableNsPerFrame: number; largeTableNsPerFrame: number };
}

/** ns per frame of `redirect` on a table of `maxEntries` slots whose keys 0..2 point at 3 devices. */
function redirectOnTable(maxEntries: number, devices: Device[], batchSize: number): number {
  const t = new RedirectTable({ maxEntries });
  for (let k = 0; k < 3; k += 1) t.set(k, devices[k % devices.length].ifindex);
  const keys = new Uint32Array(batchSize).map((_, i) => i % 3);
  const ids = new Uint32Array(batchSize);
  const lengths = new Uint32Array(batchSize).fill(64);
  const drained = new Uint32Array(1 << 16);
  const batches = Math.max(1, Math.floor(200_000 / batchSize));
  const ns = nsPerOp(batches * batchSize, () => {
    for (let i = 0; i < batches; i += 1) {
      t.redirect(keys, ids, lengths);
      if ((i & 63) === 63) for (const dev of devices) while (dev.receive(drained) !== 0);
    }
    for (const dev of devices) while (dev.receive(drained) !== 0);
  });
  void t.close();
  return ns;
}

function nsPerOp(ops: number, run: () => void): number {
  run(); // warm up (and let the JIT settle)
  run();
  const start = process.hrtime.bigint();
  for (let i = 0; i < 5; i += 1) run();
  return Number(process.hrtime.bigint() - start) / (5 * ops);
}

/** `table` must point its keys at `devices` (rings large enough for 64 batches per device). */
export function measureBaseline(table: RedirectTable, devices: Device[], batchSize: number): Baseline {
  const n = 1_000_000;
  const mask = table.maxEntries - 1;
  const { noop, echo } = native;
  const { get, getBatch } = table;
  let sink = 0;
  const keys = new Uint32Array(batchSize).map((_, i) => (i * 2654435761) % table.maxEntries);
  const out = new Int32Array(batchSize);
  const batches = Math.max(1, Math.floor(n / batchSize));
  const { redirect } = table;
  const ids = new Uint32Array(batchSize).map((_, i) => i);
  const lengths = new Uint32Array(batchSize).fill(512);
  const drained = new Uint32Array(1 << 16);
  const plainSlots = new Uint32Array(table.maxEntries);
  for (let key = 0; key < plainSlots.length; key += 1) plainSlots[key] = table.get(key) ?? 0;
  const { plainLookupBatch } = loadPeers();
  const before = table.stats();
  const result: Baseline = {
    noopNs: nsPerOp(n, () => {
      for (let i = 0; i < n; i += 1) noop();
    }),
    // Each loop sums into a local, stored once: a captured accumulator would cost a context
    // store per call, more than a zero-call get itself.
    echoNs: nsPerOp(n, () => {
      let s = 0;
      for (let i = 0; i < n; i += 1) s += echo(i & mask);
      sink += s;
    }),
    getNs: nsPerOp(n, () => {
      let s = 0;
      for (let i = 0; i < n; i += 1) s += get(i & mask) ?? 0;
      sink += s;
    }),
    getBatchNsPerKey: nsPerOp(batches * batchSize, () => {
      let s = 0;
      for (let i = 0; i < batches; i += 1) s += getBatch(keys, out);
      sink += s;
    }),
    plainLoopNsPerKey: nsPerOp(batches * batchSize, () => {
      let s = 0;
      for (let i = 0; i < batches; i += 1) s += plainLookupBatch(plainSlots, keys, out);
      sink += s;
    }),
    redirectNsPerFrame: nsPerOp(batches * batchSize, () => {
      for (let i = 0; i < batches; i += 1) {
        sink += redirect(keys, ids, lengths);
        if ((i & 63) === 63) for (const dev of devices) while (dev.receive(drained) !== 0);
      }
      for (const dev of devices) while (dev.receive(drained) !== 0);
    }),
    redirectBulkAverage: 0,
    flushScaling: {
      smallTableNsPerFrame: redirectOnTable(16, devices, batchSize),
      largeTableNsPerFrame: redirectOnTable(1_000_000, devices, batchSize),
    },
  };
  const after = table.stats();
  result.redirectBulkAverage =
    (after.bulkAverage * after.bulks - before.bulkAverage * before.bulks) / Math.max(1, after.bulks - before.bulks);
  if (sink === -1) process.stdout.write(''); // keep the loops observable
  return result;
}
