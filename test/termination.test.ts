import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { Device, RedirectHashTable, RedirectTable } from '../lib';
import { native } from '../lib/native';
import { assertRedirectError, createDevice } from './helpers';
import { TerminatedData, TerminatedRole, xorshift } from './workers/terminated-shared';

// worker.terminate() while workers redirect (batched and per-frame, with their read-side
// section open) and update: the terminated threads must leave liburcu, return their counter
// slots, flush what they had queued, and leave their counters in the tables. The workers cannot
// report anything after being terminated, so the checks use the table and device counters.

interface Tracked {
  device: Device;
  received: number;
  /** txFrames + drops + errors when unregister() resolved (after draining the ring then). */
  handedAtResolve?: number;
  receivedAfterResolve: number;
}

interface Running {
  role: TerminatedRole;
  worker: Worker;
  exited: boolean;
  errors: Error[];
}

const ARRAY_KEYS = 16;
const HASH_KEYS = Array.from({ length: 16 }, (_, i) => 1000 + 7 * i);

const workerFile = (role: TerminatedRole): string =>
  path.join(__dirname, 'workers', role.startsWith('redirect') ? 'terminated-redirector.js' : 'terminated-updater.js');

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Iterations a role may run past the point the test decided to act (a random point). */
const SPREAD: Record<TerminatedRole, number> = {
  'redirect-async': 200,
  'redirect-sync': 400,
  'redirect-heavy': 3,
  'update-async': 50,
  'update-sync': 200,
};

function handed(device: Device): number {
  const s = device.stats();
  return s.txFrames + s.drops + s.errors;
}

/** Waits (draining rings) until `done()`, polling a bounded number of times; returns done(). */
async function until(done: () => boolean, drain: () => void, polls = 4000): Promise<boolean> {
  for (let i = 0; i < polls && !done(); i += 1) {
    drain();
    await (i < 100 ? tick() : new Promise((resolve) => setTimeout(resolve, 1)));
  }
  return done();
}

/**
 * Rounds of workers (roles chosen by `pick`) against one array and one hash table, terminated at
 * random points; a device is unregistered during every other round. Then every check.
 */
async function runRounds(rounds: number, seed: number, pick: (round: number, random: (n: number) => number) => TerminatedRole[]): Promise<void> {
  const random = xorshift(seed);
  const table = new RedirectTable({ maxEntries: ARRAY_KEYS });
  const hash = new RedirectHashTable({ maxEntries: HASH_KEYS.length * 2 });
  const tracked: Tracked[] = [];
  const live: Tracked[] = [];
  const spawn = (): Tracked => {
    const t: Tracked = { device: createDevice({ ringSize: 1 << 14 }), received: 0, receivedAfterResolve: 0 };
    tracked.push(t);
    live.push(t);
    return t;
  };
  const point = (t: Tracked): void => {
    table.set(random(ARRAY_KEYS), t.device.ifindex);
    hash.set(HASH_KEYS[random(HASH_KEYS.length)], t.device.ifindex);
  };
  for (let i = 0; i < 4; i += 1) spawn();
  for (let key = 0; key < ARRAY_KEYS; key += 1) table.set(key, live[key % live.length].device.ifindex);
  HASH_KEYS.forEach((key, i) => hash.set(key, live[i % live.length].device.ifindex));

  const ids = new Uint32Array(4096);
  const drain = (): void => {
    for (const t of tracked) {
      for (let n = t.device.receive(ids); n > 0; n = t.device.receive(ids)) {
        t.received += n;
        if (t.handedAtResolve !== undefined) t.receivedAfterResolve += n;
      }
    }
  };

  // Long-lived threads (liburcu's call_rcu thread) take a counter slot the first time they free
  // an entry: have that happen before the baseline, as it does when other tests ran first.
  const warm = createDevice();
  table.set(0, warm.ifindex);
  await warm.unregister();
  table.set(0, live[0].device.ifindex);

  // Threads registered with liburcu by the addon, and counter slots taken, before any worker.
  const registeredBefore = native.registeredThreadCount();
  const slotsBefore = native.liveThreadSlots();
  assert.ok(registeredBefore >= 1, 'the main thread is registered');

  let unregistered = 0;
  for (let round = 0; round < rounds; round += 1) {
    const roles = pick(round, random);
    const progress = new Int32Array(new SharedArrayBuffer(4 * roles.length));
    const running: Running[] = roles.map((role, index) => {
      const data: TerminatedData = {
        role,
        index,
        arrayId: table.id,
        hashId: hash.id,
        arrayKeys: ARRAY_KEYS,
        hashKeys: HASH_KEYS,
        ifindexes: live.map((t) => t.device.ifindex),
        progress,
        seed: (seed * 31 + round * 7 + index + 1) | 0,
      };
      const r: Running = { role, worker: new Worker(workerFile(role), { workerData: data }), exited: false, errors: [] };
      r.worker.on('error', (error) => r.errors.push(error));
      r.worker.once('exit', () => (r.exited = true));
      return r;
    });
    // Every third round, one more worker is terminated as soon as it comes online (it may not
    // even have loaded the addon yet).
    let early: Promise<number> | undefined;
    if (round % 3 === 0) {
      const data: TerminatedData = {
        role: 'redirect-async',
        index: 0,
        arrayId: table.id,
        hashId: hash.id,
        arrayKeys: ARRAY_KEYS,
        hashKeys: HASH_KEYS,
        ifindexes: live.map((t) => t.device.ifindex),
        progress: new Int32Array(new SharedArrayBuffer(4)),
        seed: round + 1,
      };
      const w = new Worker(workerFile('redirect-async'), { workerData: data });
      w.on('error', () => undefined);
      early = new Promise<number>((resolve) => w.once('online', () => resolve(w.terminate())));
    }

    const started = await until(() => running.every((r, i) => r.exited || Atomics.load(progress, i) > 0), drain);
    assert.ok(started, `round ${round}: workers did not start`);
    for (const r of running) assert.equal(r.exited, false, `round ${round}: ${r.role} exited by itself: ${r.errors.join('; ')}`);
    assert.ok(native.registeredThreadCount() >= registeredBefore + roles.length, 'running workers are registered');

    // During every other round, a device is unregistered while the workers use it (an open
    // per-frame section of a synchronous worker holds it until that worker is terminated).
    let victimDone: Promise<void> | undefined;
    if (round % 2 === 1) {
      const victim = live.splice(random(live.length), 1)[0];
      victimDone = victim.device.unregister().then(() => {
        drain();
        victim.handedAtResolve = handed(victim.device);
        victim.receivedAfterResolve = 0;
      });
      unregistered += 1;
    }

    // Terminate the workers one by one in random order, each at a random point of its own work
    // (the others keep running meanwhile).
    const order = running.map((_, i) => i);
    for (let i = order.length - 1; i > 0; i -= 1) {
      const j = random(i + 1);
      [order[i], order[j]] = [order[j], order[i]];
    }
    const terminations: Promise<number>[] = [];
    for (const i of order) {
      const target = Atomics.load(progress, i) + 1 + random(SPREAD[running[i].role]);
      await until(() => running[i].exited || Atomics.load(progress, i) >= target, drain);
      terminations.push(running[i].worker.terminate());
    }
    await Promise.all(terminations);
    if (early) await early;
    for (const r of running) assert.deepEqual(r.errors, [], `round ${round}: ${r.role} failed`);

    // Grace periods still complete: the victim's unregistration, and a fresh device's (its
    // entries are purged and freed after a grace period before it resolves).
    if (victimDone) await victimDone;
    const fresh = spawn();
    table.set(0, fresh.device.ifindex);
    hash.set(HASH_KEYS[0], fresh.device.ifindex);
    live.pop();
    await fresh.device.unregister();
    fresh.handedAtResolve = handed(fresh.device);
    assert.equal(table.get(0), undefined);
    assert.equal(hash.get(HASH_KEYS[0]), undefined);
    assert.equal(fresh.device.usageCount, 0);

    // The terminated threads left liburcu and returned their counter slots (thread exit is
    // asynchronous to the 'exit' event: poll up to ~5 s: under load a thread may take over a second to finish exiting).
    const registeredBack = await until(() => native.registeredThreadCount() <= registeredBefore, drain, 5000);
    assert.ok(registeredBack, `round ${round}: ${native.registeredThreadCount() - registeredBefore} registrations leaked (${roles.join(', ')})`);
    const slotsBack = await until(() => native.liveThreadSlots() <= slotsBefore, drain, 5000);
    assert.ok(slotsBack, `round ${round}: ${native.liveThreadSlots() - slotsBefore} thread slots leaked (${roles.join(', ')})`);

    // Replace the victim, and point every key somewhere again for the next round.
    while (live.length < 4) point(spawn());
    for (let key = 0; key < ARRAY_KEYS; key += 1) table.set(key, live[random(live.length)].device.ifindex);
    for (const key of HASH_KEYS) hash.set(key, live[random(live.length)].device.ifindex);
  }

  // Conservation, from the counters alone: every frame the tables accepted (kept per thread,
  // including the counters of exited threads) was handed to exactly one device.
  drain();
  let handedTotal = 0;
  let receivedTotal = 0;
  for (const t of tracked) {
    const s = t.device.stats();
    handedTotal += s.txFrames + s.drops + s.errors;
    receivedTotal += t.received;
    assert.equal(s.queued, 0);
    assert.equal(t.received, s.txFrames, `${t.device.name}: received != txFrames`);
    if (t.handedAtResolve !== undefined) {
      assert.equal(handed(t.device), t.handedAtResolve, `${t.device.name} got frames after unregister() resolved`);
      assert.equal(t.receivedAfterResolve, 0, `${t.device.name}: frames arrived after unregister() resolved`);
    }
  }
  const accepted = table.stats().redirected + hash.stats().redirected;
  assert.equal(handedTotal, accepted, 'frames accepted by the tables != txFrames + drops + errors over the devices');
  assert.ok(accepted > 0 && receivedTotal > 0, 'no frames went through');
  assert.ok(unregistered >= Math.floor(rounds / 2));

  // The tables close (a grace period), and every terminated worker's handle was released.
  const ids2 = [table.id, hash.id];
  await table.close();
  await hash.close();
  for (const id of ids2) assertRedirectError(() => RedirectTable.open(id), 'ENOENT');
  await Promise.all(live.map((t) => t.device.unregister()));
  for (const t of live) assert.equal(t.device.usageCount, 0);
}

describe('worker.terminate() while workers redirect and update', () => {
  it('leaves grace periods working, registrations and thread slots returned, and frames conserved', async function () {
    this.timeout(60_000);
    const redirectors: TerminatedRole[] = ['redirect-async', 'redirect-sync'];
    const updaters: TerminatedRole[] = ['update-async', 'update-sync'];
    const all: TerminatedRole[] = [...redirectors, ...updaters];
    await runRounds(8, 20240611, (round, random) => {
      // At least one redirector and one updater; the synchronous redirector every other round.
      const roles: TerminatedRole[] = [round % 2 === 0 ? 'redirect-sync' : redirectors[random(2)], updaters[random(2)]];
      if (random(2) === 0) roles.push(all[random(all.length)]);
      return roles;
    });
  });

  it('terminate during heavy batched calls works (a native call runs to completion first)', async function () {
    this.timeout(60_000);
    await runRounds(3, 77, (round) => ['redirect-heavy', 'redirect-heavy', round === 1 ? 'update-sync' : 'redirect-sync']);
  });
});
