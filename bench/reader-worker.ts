// A reader thread of the benchmark: per-call `get` in phase 1, `getBatch` in phase 2. Every
// per-call read and every 16th batch is checked: the value must have been set for that key, and
// must not name a device whose unregistration was announced before the read started.
import { parentPort, workerData } from 'node:worker_threads';
import { RedirectTable } from '../lib';
import { native } from '../lib/native';
import { BenchShared, deviceNumber, PHASE, PhaseResult, ReaderResult, wasSet } from './shared';

const { tableId, shared, thread, batchSize } = workerData as {
  tableId: number;
  shared: BenchShared;
  thread: number;
  batchSize: number;
};
const table = RedirectTable.open(tableId);
const keyCount = table.maxEntries;
const examples: string[] = [];

function inconsistent(key: number, ifindex: number, deathsBefore: number): boolean {
  const device = deviceNumber(shared, ifindex);
  if (device < 0 || !wasSet(shared, key, device)) {
    if (examples.length < 5) examples.push(`key ${key} read ${ifindex}, never set there`);
    return true;
  }
  const died = Atomics.load(shared.deathSeq, device);
  if (died !== 0 && died <= deathsBefore) {
    if (examples.length < 5) examples.push(`key ${key} read ${ifindex} after its unregistration resolved`);
    return true;
  }
  return false;
}

// Random keys, fixed per thread, so both phases read the same access pattern.
const keys = new Uint32Array(1 << 16);
let seed = 0x9e3779b9 ^ (thread * 0x85ebca6b);
for (let i = 0; i < keys.length; i += 1) {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  keys[i] = (seed >>> 0) % keyCount;
}

function waitFor(phase: number): void {
  while (Atomics.load(shared.control, 0) < phase) Atomics.wait(shared.control, 0, Atomics.load(shared.control, 0), 50);
}

function measureNoop(): number {
  const noop = native.noop;
  const n = 2_000_000;
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i += 1) noop();
  return n / (Number(process.hrtime.bigint() - start) / 1e9);
}

function perCallPhase(): PhaseResult {
  const get = table.get;
  const mask = keys.length - 1;
  const result: PhaseResult = { lookups: 0, seconds: 0, hits: 0, checked: 0, inconsistent: 0 };
  const start = process.hrtime.bigint();
  let i = 0;
  while (Atomics.load(shared.control, 0) === PHASE.perCall) {
    const deathsBefore = Atomics.load(shared.control, 1);
    for (let j = 0; j < 4096; j += 1, i += 1) {
      const key = keys[i & mask];
      const ifindex = get(key);
      if (ifindex !== undefined) {
        result.hits += 1;
        if (inconsistent(key, ifindex, deathsBefore)) result.inconsistent += 1;
      }
    }
    result.lookups += 4096;
    result.checked += 4096;
  }
  result.seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return result;
}

function batchedPhase(): PhaseResult {
  const getBatch = table.getBatch;
  const out = new Int32Array(batchSize);
  const batches: Uint32Array[] = [];
  for (let off = 0; off + batchSize <= keys.length; off += batchSize) batches.push(keys.subarray(off, off + batchSize));
  const result: PhaseResult = { lookups: 0, seconds: 0, hits: 0, checked: 0, inconsistent: 0 };
  const start = process.hrtime.bigint();
  let b = 0;
  while (Atomics.load(shared.control, 0) === PHASE.batched) {
    for (let round = 0; round < 16; round += 1, b += 1) {
      const batch = batches[b % batches.length];
      const deathsBefore = Atomics.load(shared.control, 1);
      result.hits += getBatch(batch, out);
      result.lookups += batch.length;
      if (round === 0) {
        for (let i = 0; i < batch.length; i += 1) {
          if (out[i] !== 0 && inconsistent(batch[i], out[i], deathsBefore)) result.inconsistent += 1;
        }
        result.checked += batch.length;
      }
    }
  }
  result.seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return result;
}

// Batched redirect of frames (ids: a running sequence, 512 bytes each) to the entries' devices.
function redirectPhase(): PhaseResult {
  const redirect = table.redirect;
  const ids = new Uint32Array(batchSize);
  const lengths = new Uint32Array(batchSize).fill(512);
  const batches: Uint32Array[] = [];
  for (let off = 0; off + batchSize <= keys.length; off += batchSize) batches.push(keys.subarray(off, off + batchSize));
  const result: PhaseResult = { lookups: 0, seconds: 0, hits: 0, checked: 0, inconsistent: 0 };
  const start = process.hrtime.bigint();
  let b = 0;
  let seq = thread << 28;
  while (Atomics.load(shared.control, 0) === PHASE.redirect) {
    for (let round = 0; round < 16; round += 1, b += 1) {
      for (let i = 0; i < ids.length; i += 1) ids[i] = seq++;
      const batch = batches[b % batches.length];
      result.hits += redirect(batch, ids, lengths);
      result.lookups += batch.length;
    }
  }
  result.seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return result;
}

const noopPerSecond = measureNoop();
parentPort?.postMessage({ ready: true });
waitFor(PHASE.perCall);
const perCall = perCallPhase();
waitFor(PHASE.batched);
const batched = batchedPhase();
waitFor(PHASE.redirect);
const redirected = redirectPhase();
const report: ReaderResult = { thread, noopPerSecond, perCall, batched, redirect: redirected, examples };
table.close().then(() => parentPort?.postMessage(report));
