// A reader thread: per-call `get` while the state says so (one read in 64 checked), then
// batched redirect of frames; afterwards it keeps answering messages until the churner is done.
import { checkedGet, newReadChecks } from '../checker';
import { arriveAndWait, CONTROL, PhaseShared, sleepMs, STATE } from '../shared-state';
import type { TableClient } from '../../peers/types';
import { randomSource, ReaderResult, RoleOptions } from './common';

export async function runReader(client: TableClient, shared: PhaseShared, participant: number, options: RoleOptions): Promise<ReaderResult> {
  const random = randomSource(0x9e3779b9 ^ (participant * 0x85ebca6b));
  const keys = new Uint32Array(1 << 16).map(() => random(options.keys));
  const mask = keys.length - 1;
  const batches: Uint32Array[] = [];
  for (let off = 0; off + options.batch <= keys.length; off += options.batch) batches.push(keys.subarray(off, off + options.batch));
  const ids = new Uint32Array(options.batch).map((_, i) => i);
  const lengths = new Uint32Array(options.batch).fill(512);
  const checks = newReadChecks();
  const { control, progress } = shared;
  const { get, redirect } = client;
  const result: ReaderResult = {
    role: 'reader',
    participant,
    get: { calls: 0, hits: 0, seconds: 0 },
    redirect: { offered: 0, accepted: 0, seconds: 0 },
    checks,
    framesToUnregistered: 0,
  };

  arriveAndWait(shared);
  let start = performance.now();
  let i = 0;
  while (Atomics.load(control, CONTROL.state) === STATE.get) {
    // One read in 64 is checked; hits count in a local (the harness's own cost per read stays
    // well below the cost of the cheapest get it measures).
    let hits = 0;
    for (let j = 0; j < 4096; j += 1, i += 1) {
      const key = keys[i & mask];
      if (((j & 63) === 0 ? checkedGet(shared, checks, key, get) : get(key)) !== 0) hits += 1;
    }
    result.get.hits += hits;
    result.get.calls += 4096;
    progress[participant] += 4096;
    client.poll();
  }
  result.get.seconds = (performance.now() - start) / 1000;

  start = performance.now();
  let b = 0;
  while (Atomics.load(control, CONTROL.state) === STATE.redirect) {
    for (let round = 0; round < 8; round += 1, b += 1) {
      result.redirect.accepted += redirect(batches[b % batches.length], ids, lengths);
    }
    result.redirect.offered += 8 * options.batch;
    progress[participant] += 8 * options.batch;
    client.poll();
  }
  result.redirect.seconds = (performance.now() - start) / 1000;

  while (Atomics.load(control, CONTROL.churnerDone) === 0) {
    client.poll();
    sleepMs(0.5);
  }
  result.framesToUnregistered = client.framesToUnregistered();
  await client.close();
  return result;
}
