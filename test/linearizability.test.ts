import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { Device, RedirectHashTable, RedirectTable } from '../lib';
import { createDevice, testNote } from './helpers';
import { checkHistory, OpName, Operation } from './linearizability/checker';
import { ArraySink, HistoryLog, Recorder, SharedClock, StartBarrier } from './linearizability/recorder';
import { MirrorAfterPointerTable, ModelTable, SnapshotCompareTable, StaleReadTable } from './linearizability/tables';
import { runWorkload, seededRandom, WorkloadTable, workloadSteps } from './linearizability/workload';
import type { HistoryRecorderData } from './workers/history-recorder';

type Result = Operation['result'];

/** A hand-made operation: process, key, op, arg, result, invoke, response. */
function op(process: number, key: number, name: OpName, arg: number | undefined, result: Result, invoke: number, response: number): Operation {
  const o: Operation = { process, key, op: name, result, invoke, response };
  if (arg !== undefined) o.arg = arg;
  return o;
}
const get = (p: number, k: number, r: number | undefined, i: number, s: number): Operation => op(p, k, 'get', undefined, r, i, s);
const set = (p: number, k: number, ifindex: number, rev: number, i: number, s: number): Operation => op(p, k, 'set', ifindex, rev, i, s);
const del = (p: number, k: number, r: boolean, i: number, s: number): Operation => op(p, k, 'delete', undefined, r, i, s);
const cad = (p: number, k: number, rev: number, r: true | 'ENOENT' | 'EBUSY', i: number, s: number): Operation =>
  op(p, k, 'compareAndDelete', rev, r, i, s);

function assertLinearizable(history: Operation[]): void {
  const result = checkHistory(history);
  assert.ok(result.ok, result.ok ? '' : result.explanation);
  assert.equal(result.operations, history.length);
}

function assertViolation(history: Operation[], key: number): Operation[] {
  const result = checkHistory(history);
  assert.equal(result.ok, false, 'expected a linearizability violation');
  if (result.ok) throw new Error('unreachable');
  assert.equal(result.key, key);
  assert.match(result.explanation, new RegExp(`\\bkey ${key}\\b`));
  assert.ok(result.operations.length > 0);
  for (const o of result.operations) assert.ok(history.includes(o), 'the sub-history is made of the input operations');
  return result.operations;
}

describe('linearizability checker', () => {
  describe('known histories', () => {
    it('accepts a sequential legal history', () => {
      assertLinearizable([
        set(0, 0, 5, 1, 1, 2),
        get(1, 0, 5, 3, 4),
        set(2, 0, 6, 3, 5, 6),
        get(0, 0, 6, 7, 8),
        cad(1, 0, 3, true, 9, 10),
        get(2, 0, undefined, 11, 12),
        del(0, 0, false, 13, 14),
        cad(1, 0, 3, 'ENOENT', 15, 16),
        set(2, 0, 5, 7, 17, 18),
        cad(0, 0, 3, 'EBUSY', 19, 20),
        del(1, 0, true, 21, 22),
        get(2, 0, undefined, 23, 24),
      ]);
    });

    it('accepts a get overlapping a set that sees either value', () => {
      const before = [set(0, 0, 5, 1, 1, 2), set(1, 0, 6, 2, 3, 10)];
      assertLinearizable([...before, get(2, 0, 5, 4, 5), get(3, 0, 6, 6, 7), get(2, 0, 6, 11, 12)]);
      assertLinearizable([...before, get(2, 0, 6, 4, 5)]);
      assertLinearizable([...before, get(2, 0, 5, 4, 5)]);
      // But once a get saw the new value, a later (non-overlapping) get cannot see the old one.
      assertViolation([...before, get(2, 0, 6, 4, 5), get(2, 0, 5, 6, 7)], 0);
    });

    it('rejects a stale read after a completed delete', () => {
      const minimal = assertViolation([set(0, 0, 5, 1, 1, 2), del(1, 0, true, 3, 4), get(2, 0, 5, 5, 6)], 0);
      assert.deepEqual(
        minimal.map((o) => o.op),
        ['delete', 'get'],
        'the delete and the stale get alone are a proof, whatever the key held before'
      );
    });

    it('rejects a get of a value that was never set', () => {
      assertViolation([set(0, 0, 5, 1, 1, 2), get(1, 0, 9, 3, 4)], 0);
      assertViolation([get(1, 0, 9, 1, 2)], 0);
    });

    it('rejects a get of the first of two completed sets', () => {
      assertViolation([set(0, 0, 5, 1, 1, 2), set(1, 0, 6, 2, 3, 4), get(2, 0, 5, 5, 6)], 0);
    });

    it('rejects a successful compareAndDelete of a revision replaced before it started', () => {
      assertViolation([set(0, 0, 5, 1, 1, 2), set(1, 0, 6, 2, 3, 4), cad(2, 0, 1, true, 5, 6)], 0);
      // If the replacing set overlaps the conditional delete, either order is possible.
      assertLinearizable([set(0, 0, 5, 1, 1, 2), set(1, 0, 6, 2, 3, 6), cad(2, 0, 1, true, 4, 5)]);
    });

    it('rejects two successful deletes without a set between them', () => {
      assertViolation([set(0, 0, 5, 1, 1, 2), del(1, 0, true, 3, 4), del(2, 0, true, 5, 6)], 0);
      // Overlapping each other, only one of them can have removed the entry either.
      assertViolation([set(0, 0, 5, 1, 1, 2), del(1, 0, true, 3, 6), del(2, 0, true, 4, 5)], 0);
    });

    it('accepts an overlapping compareAndDelete and set in whichever order explains the results', () => {
      const start = set(0, 0, 5, 1, 1, 2);
      // The conditional delete first, then the set.
      assertLinearizable([start, cad(1, 0, 1, true, 3, 6), set(2, 0, 6, 2, 4, 5), get(0, 0, 6, 7, 8)]);
      // The set first: the conditional delete finds another revision.
      assertLinearizable([start, cad(1, 0, 1, 'EBUSY', 3, 6), set(2, 0, 6, 2, 4, 5), get(0, 0, 6, 7, 8)]);
      // Neither order gives a successful delete and an empty key afterwards.
      assertViolation([start, cad(1, 0, 1, true, 3, 6), set(2, 0, 6, 2, 4, 5), get(0, 0, undefined, 7, 8)], 0);
    });

    it('rejects a revision returned twice, or not above a set of that key that completed before', () => {
      assertViolation([set(0, 0, 5, 10, 1, 2), set(1, 0, 6, 7, 3, 4)], 0);
      assertViolation([set(0, 0, 5, 10, 1, 4), set(1, 0, 6, 10, 2, 3)], 0);
      // A delete in between does not reset the order.
      assertViolation([set(0, 0, 5, 10, 1, 2), del(1, 0, true, 3, 4), set(1, 0, 6, 7, 5, 6)], 0);
      // Overlapping sets draw their revisions before publishing, so either may be published last:
      // the revision order of overlapping sets says nothing about which one a later read sees.
      const sets = [set(0, 0, 5, 10, 1, 4), set(1, 0, 6, 7, 2, 3)];
      assertLinearizable([...sets, get(2, 0, 5, 5, 6)]);
      assertLinearizable([...sets, get(2, 0, 6, 5, 6)]);
      assertViolation([...sets, get(2, 0, 6, 5, 6), get(2, 0, 5, 7, 8)], 0);
      // Other keys have their own order.
      assertLinearizable([set(0, 0, 5, 10, 1, 2), set(1, 1, 6, 7, 3, 4)]);
    });

    it('checks keys independently and names the failing one', () => {
      const history = [
        set(0, 1, 5, 1, 1, 2),
        set(1, 3, 6, 2, 3, 4),
        get(2, 1, 5, 5, 6),
        del(0, 3, true, 7, 8),
        get(1, 3, 6, 9, 10), // stale on key 3 only
        get(2, 1, 5, 11, 12),
      ];
      const minimal = assertViolation(history, 3);
      assert.ok(minimal.every((o) => o.key === 3));
      assertLinearizable(history.filter((o) => o.key === 1));
    });

    it('accepts wide concurrency quickly (memoization)', () => {
      // 4 processes, 200 rounds of fully overlapping operations each: a naive search would explode.
      const history: Operation[] = [];
      let t = 0;
      let revision = 0;
      for (let round = 0; round < 200; round += 1) {
        const start = t;
        t += 10;
        revision += 1;
        history.push(set(0, 0, 5 + (round % 3), revision, start, t));
        history.push(get(1, 0, 5 + (round % 3), start + 1, t + 1));
        history.push(get(2, 0, round === 0 ? undefined : 5 + ((round + 2) % 3), start + 2, t + 2));
        history.push(cad(3, 0, revision - 1, round === 0 ? 'ENOENT' : 'EBUSY', start + 3, t + 3));
        t += 5;
      }
      assertLinearizable(history);
    });
  });

  describe('property: random histories from the specification', () => {
    interface Model {
      slots: Map<number, { ifindex: number; revision: number }>;
      revision: number;
    }

    /** Applies one operation to the model at its linearization point and returns its result. */
    function apply(model: Model, random: (n: number) => number, o: Operation): void {
      const slot = model.slots.get(o.key);
      switch (o.op) {
        case 'get':
          o.result = slot?.ifindex;
          break;
        case 'set':
          model.revision += 1 + random(3);
          model.slots.set(o.key, { ifindex: o.arg as number, revision: model.revision });
          o.result = model.revision;
          break;
        case 'delete':
          o.result = model.slots.delete(o.key);
          break;
        case 'compareAndDelete':
          if (!slot) o.result = 'ENOENT';
          else if (slot.revision !== o.arg) o.result = 'EBUSY';
          else o.result = model.slots.delete(o.key);
          break;
      }
    }

    function plan(model: Model, random: (n: number) => number, process: number): Operation {
      const key = random(3);
      const name = (['get', 'get', 'set', 'set', 'delete', 'compareAndDelete', 'compareAndDelete'] as const)[random(7)];
      const o: Operation = { process, key, op: name, result: undefined, invoke: 0, response: 0 };
      if (name === 'set') o.arg = 1 + random(4);
      if (name === 'compareAndDelete') {
        const current = model.slots.get(key)?.revision;
        o.arg = current !== undefined && random(2) === 0 ? current : 1 + random(model.revision + 1);
      }
      return o;
    }

    function sequential(seed: number): Operation[] {
      const random = seededRandom(seed);
      const model: Model = { slots: new Map(), revision: 0 };
      const history: Operation[] = [];
      let t = 0;
      for (let i = 0, n = 5 + random(40); i < n; i += 1) {
        const o = plan(model, random, random(3));
        o.invoke = ++t;
        apply(model, random, o);
        o.response = ++t;
        history.push(o);
      }
      return history;
    }

    /** Concurrent by construction: each operation takes effect at a point inside its interval. */
    function concurrent(seed: number): Operation[] {
      const random = seededRandom(seed);
      const model: Model = { slots: new Map(), revision: 0 };
      const history: Operation[] = [];
      const pending: (Operation | undefined)[] = [undefined, undefined, undefined, undefined];
      const applied = [false, false, false, false];
      let t = 0;
      let started = 0;
      const total = 10 + random(60);
      while (started < total || pending.some((p) => p !== undefined)) {
        const p = random(pending.length);
        const current = pending[p];
        if (current === undefined) {
          if (started === total) continue;
          const o = plan(model, random, p);
          o.invoke = ++t;
          pending[p] = o;
          applied[p] = false;
          started += 1;
        } else if (!applied[p]) {
          apply(model, random, current);
          applied[p] = true;
        } else {
          current.response = ++t;
          history.push(current);
          pending[p] = undefined;
        }
      }
      return history;
    }

    /** Changes one result so that no order can explain it (the history being sequential). */
    function corrupt(history: Operation[], random: (n: number) => number): Operation {
      for (;;) {
        const o = history[random(history.length)];
        switch (o.op) {
          case 'get':
            o.result = 99; // never set: sets use ifindexes 1-4
            return o;
          case 'delete':
            o.result = !o.result;
            return o;
          case 'compareAndDelete': {
            const others = ([true, 'ENOENT', 'EBUSY'] as const).filter((r) => r !== o.result);
            o.result = others[random(2)];
            return o;
          }
          case 'set': {
            const earlier = history.find((e) => e.op === 'set' && e.key === o.key && e.response < o.invoke);
            if (earlier === undefined) continue;
            o.result = (earlier.result as number) - random(2);
            return o;
          }
        }
      }
    }

    it('accepts 300 random sequential histories and rejects each with one result corrupted', () => {
      const random = seededRandom(20240611);
      let checked = 0;
      for (let i = 0; i < 300; i += 1) {
        const history = sequential(1000 + i);
        assertLinearizable(history);
        const bad = corrupt(history, random);
        const result = checkHistory(history);
        assert.equal(result.ok, false, `seed ${1000 + i}: corrupted ${JSON.stringify(bad)} was accepted`);
        if (!result.ok) {
          assert.equal(result.key, bad.key);
          assert.ok(result.operations.includes(bad) || result.operations.every((o) => o.key === bad.key));
        }
        checked += history.length;
      }
      assert.ok(checked > 3000);
    });

    it('accepts 300 random concurrent histories whose operations take effect inside their intervals', () => {
      let overlapping = 0;
      for (let i = 0; i < 300; i += 1) {
        const history = concurrent(5000 + i);
        assertLinearizable(history);
        overlapping += history.filter((a) => history.some((b) => b !== a && b.invoke < a.response && a.invoke < b.response)).length;
      }
      assert.ok(overlapping > 5000, `only ${overlapping} overlapping operations`);
    });
  });
});

interface Counts {
  operations: number;
  getHits: number;
  getMisses: number;
  sets: number;
  deletesTrue: number;
  deletesFalse: number;
  cadTrue: number;
  cadBusy: number;
  cadNoent: number;
  /** Operations whose interval overlaps an operation of another process on the same key. */
  overlapping: number;
}

function count(history: readonly Operation[]): Counts {
  const c: Counts = { operations: history.length, getHits: 0, getMisses: 0, sets: 0, deletesTrue: 0, deletesFalse: 0, cadTrue: 0, cadBusy: 0, cadNoent: 0, overlapping: 0 };
  for (const o of history) {
    if (o.op === 'get') o.result === undefined ? (c.getMisses += 1) : (c.getHits += 1);
    else if (o.op === 'set') c.sets += 1;
    else if (o.op === 'delete') o.result === true ? (c.deletesTrue += 1) : (c.deletesFalse += 1);
    else if (o.result === true) c.cadTrue += 1;
    else if (o.result === 'EBUSY') c.cadBusy += 1;
    else if (o.result === 'ENOENT') c.cadNoent += 1;
  }
  // Sweep by invoke: an operation overlaps another process's one if either is still running when the other starts.
  const sorted = [...history].sort((a, b) => a.invoke - b.invoke);
  const overlapping = new Set<Operation>();
  const open = new Map<number, Operation[]>(); // per key, operations invoked so far that may still be running
  for (const o of sorted) {
    const running = (open.get(o.key) ?? []).filter((r) => r.response > o.invoke);
    for (const r of running) {
      if (r.process !== o.process) {
        overlapping.add(r);
        overlapping.add(o);
      }
    }
    running.push(o);
    open.set(o.key, running);
  }
  c.overlapping = overlapping.size;
  return c;
}

const WORKERS = 3;
const OPERATIONS = 1500; // per process
const workerFile = path.join(__dirname, 'workers', 'history-recorder.js');

describe('linearizability of the real tables', () => {
  const summary: string[] = [];
  after(() => {
    if (summary.length > 0) testNote(`linearizability: ${summary.join('; ')}`);
  });

  for (const kind of ['array', 'hash'] as const) {
    it(`${kind} table: ${WORKERS} workers and the main thread on 4 hot keys give a linearizable history`, async function () {
      this.timeout(300_000);
      // Every history is checked. Real concurrency is the test's own precondition: a round in which
      // the scheduler ran the threads one after another (a loaded 2-core machine) is run again,
      // up to three times, before that counts as a failure.
      let overlapping = 0;
      for (let round = 1; round <= 3 && overlapping < 100; round += 1) overlapping = await runRound(round);
      assert.ok(overlapping >= 100, `only ${overlapping} operations overlapped another thread's on the same key, in three rounds`);

      async function runRound(round: number): Promise<number> {
        const devices: Device[] = [createDevice(), createDevice(), createDevice()];
        const ifindexes = devices.map((d) => d.ifindex);
        const keys = kind === 'array' ? [0, 1, 2, 3] : [7, 1000, 65539, 0xfffffffe];
        const table = kind === 'array' ? new RedirectTable({ maxEntries: 8 }) : new RedirectHashTable({ maxEntries: 8 });
        const clock = new SharedClock();
        const barrier = new StartBarrier();
        const logs = Array.from({ length: WORKERS + 1 }, () => HistoryLog.create(OPERATIONS));
        const seedBase = (kind === 'array' ? 100 : 200) + 1000 * (round - 1);
        try {
          const workers = logs.slice(1).map((log, i) => {
            const data: HistoryRecorderData = {
              tableId: table.id,
              process: i + 1,
              clock: clock.buffer,
              barrier: barrier.buffer,
              log: log.buffer,
              seed: seedBase + i + 1,
              operations: OPERATIONS,
              keys,
              ifindexes,
            };
            const worker = new Worker(workerFile, { workerData: data });
            return new Promise<{ recorded: number }>((resolve, reject) => {
              let message: { recorded: number } | undefined;
              worker.once('message', (m: { recorded: number }) => (message = m));
              worker.once('error', reject);
              worker.once('exit', (code) => (code === 0 && message ? resolve(message) : reject(new Error(`worker exit ${code}`))));
            });
          });
          let failure: unknown;
          for (const w of workers) w.catch((error: unknown) => (failure ??= error));
          // Everyone starts together: the workers block on the barrier until all have arrived.
          while (barrier.arrived < WORKERS && failure === undefined) await new Promise((resolve) => setImmediate(resolve));
          if (failure !== undefined) throw failure;
          barrier.release(WORKERS + 1);
          barrier.runTogether();
          runWorkload(table, new Recorder(clock, logs[0], 0), { seed: seedBase, operations: OPERATIONS, keys, ifindexes });
          const reports = await Promise.all(workers);
          for (const report of reports) assert.equal(report.recorded, OPERATIONS);

          const history = logs.flatMap((log) => log.read());
          assert.equal(history.length, (WORKERS + 1) * OPERATIONS);
          const result = checkHistory(history);
          assert.ok(result.ok, result.ok ? '' : `${kind} table:\n${result.explanation}`);
          assert.equal(result.operations, (WORKERS + 1) * OPERATIONS);
          assert.equal(result.keys, keys.length);

          const c = count(history);
          summary.push(
            `${kind}: ${c.operations} ops checked (${c.overlapping} overlapping; gets ${c.getHits} hit/${c.getMisses} miss, ` +
              `sets ${c.sets}, deletes ${c.deletesTrue} true/${c.deletesFalse} false, ` +
              `compareAndDelete ${c.cadTrue} true/${c.cadBusy} EBUSY/${c.cadNoent} ENOENT)`
          );
          // Not vacuous: every kind of result occurred often, and so did real concurrency.
          assert.ok(c.getHits >= 300, `only ${c.getHits} gets returned a value`);
          assert.ok(c.getMisses >= 50, `only ${c.getMisses} gets found the key empty`);
          assert.ok(c.sets >= 1000, `only ${c.sets} sets`);
          assert.ok(c.deletesTrue >= 50, `only ${c.deletesTrue} deletes removed an entry`);
          assert.ok(c.cadTrue >= 100, `only ${c.cadTrue} compareAndDeletes succeeded`);
          assert.ok(c.cadBusy >= 50, `only ${c.cadBusy} compareAndDeletes got EBUSY`);
          assert.ok(c.cadNoent >= 50, `only ${c.cadNoent} compareAndDeletes got ENOENT`);
          return c.overlapping;
        } finally {
          await table.close();
          await Promise.all(devices.map((d) => d.unregister()));
        }
      }
    });
  }
});

describe('linearizability harness catches broken tables', () => {
  /** Three processes interleaved in this thread by a seeded scheduler, recorded on one clock. */
  function record(table: WorkloadTable, ifindexes: number[]): Operation[] {
    const clock = new SharedClock();
    const sink = new ArraySink();
    const keys = [0, 1, 2, 3];
    const steps = [0, 1, 2].map((p) =>
      workloadSteps(table, new Recorder(clock, sink, p), { seed: 300 + p, operations: 500, keys, ifindexes })
    );
    const random = seededRandom(42);
    while (steps.length > 0) {
      const i = random(steps.length);
      if (steps[i].next().done) steps.splice(i, 1);
    }
    assert.equal(sink.ops.length, 1500);
    return sink.ops;
  }

  it('the correct JS model table passes (control)', () => {
    assertLinearizable(record(new ModelTable(), [1, 2, 3]));
  });

  it('a read cache in front of the real table is caught (stale get)', async () => {
    const devices = [createDevice(), createDevice(), createDevice()];
    const table = new RedirectTable({ maxEntries: 8 });
    try {
      const history = record(new StaleReadTable(table), devices.map((d) => d.ifindex));
      const result = checkHistory(history);
      assert.equal(result.ok, false, 'the stale cache went unnoticed');
      if (!result.ok) {
        assert.match(result.explanation, new RegExp(`key ${result.key}`));
        assert.ok(result.operations.some((o) => o.op === 'get'), result.explanation);
        assert.ok(result.operations.length <= 10, `sub-history not minimized:\n${result.explanation}`);
      }
    } finally {
      await table.close();
      await Promise.all(devices.map((d) => d.unregister()));
    }
  });

  it('an ifindex mirror written after the entry pointer (instead of with it) is caught (stale get)', () => {
    const result = checkHistory(record(new MirrorAfterPointerTable(), [1, 2, 3]));
    assert.equal(result.ok, false, 'the late mirror went unnoticed');
    if (!result.ok) {
      assert.ok(result.operations.some((o) => o.op === 'get'), result.explanation);
      assert.ok(result.operations.length <= 10, `sub-history not minimized:\n${result.explanation}`);
    }
  });

  it('a check-then-act compareAndDelete against a stale snapshot is caught', () => {
    const result = checkHistory(record(new SnapshotCompareTable(), [1, 2, 3]));
    assert.equal(result.ok, false, 'the snapshot-comparing delete went unnoticed');
    if (!result.ok) {
      assert.ok(
        result.operations.some((o) => o.op === 'compareAndDelete' && o.result === true),
        result.explanation
      );
      assert.ok(result.operations.length <= 10, `sub-history not minimized:\n${result.explanation}`);
    }
  });
});
