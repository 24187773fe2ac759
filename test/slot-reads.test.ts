import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { Device, Namespace, RedirectHashTable, RedirectTable } from '../lib';
import { namespaceHandle } from '../lib/namespace';
import { native, NativeTableHandle } from '../lib/native';
import { assertRedirectError, createDevice, testNote } from './helpers';
import { runSuites } from './children/run-suites';
import type { LifetimeReport } from './children/slot-lifetime';
import type { SpinnerReport } from './workers/slot-spinner';

// Zero-call reads (lib/slot-reads.ts): get() and entry() of an array table read the slot's
// ifindex word through a per-environment view of the slot memory (addon/napi/slot_view.*).
//
// The behaviour part runs in both modes: with views (the default) and, through the fallback
// test at the end, in a child process with REDIRECT_TABLE_SLOT_VIEWS=0, where there is no view
// and every read is the native call. The other parts need views and skip themselves there.

const VIEWS = process.env.REDIRECT_TABLE_SLOT_VIEWS !== '0';

function skipWithoutViews(this: Mocha.Context): void {
  if (!VIEWS) this.skip();
}

/** Calls made to the native get / entry of one handle. */
interface Calls {
  get: number;
  entry: number;
}

/**
 * RedirectTable.open(id), with the native handle it was built on (which lib/ keeps to itself)
 * and its get / entry counted: lib/ takes them when the table object is constructed, so the
 * counters see every read that was not answered from the view.
 */
function openCounted(id: number): { table: RedirectTable; handle: NativeTableHandle; calls: Calls } {
  const calls: Calls = { get: 0, entry: 0 };
  const openTable = native.openTable;
  let handle: NativeTableHandle | undefined;
  native.openTable = (tableId: number) => {
    const opened = openTable(tableId);
    const { get, entry } = opened;
    Object.assign(opened, {
      get: (key: number) => {
        calls.get += 1;
        return get(key);
      },
      entry: (key: number) => {
        calls.entry += 1;
        return entry(key);
      },
    });
    handle = opened;
    return opened;
  };
  try {
    const table = RedirectTable.open(id);
    assert.ok(handle);
    return { table, handle, calls };
  } finally {
    native.openTable = openTable;
  }
}

/** What a call threw (it must throw). */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  assert.fail('did not throw');
}

/** The parts of an error a caller can see. */
function describeError(error: unknown): Record<string, unknown> {
  const e = error as Error & { code?: unknown };
  return { constructor: e.constructor.name, name: e.name, code: e.code, message: e.message };
}

describe('zero-call reads: behaviour', () => {
  const MAX = 16;
  let a: Device;
  let b: Device;
  let table: RedirectTable;
  let direct: NativeTableHandle; // a native handle of its own onto the same table: the reference
  let expected: (number | undefined)[];

  beforeEach(() => {
    a = createDevice();
    b = createDevice();
    table = new RedirectTable({ maxEntries: MAX });
    direct = native.openTable(table.id);
    expected = new Array<number | undefined>(MAX).fill(undefined);
  });

  afterEach(async () => {
    await Promise.all([table.close(), direct.close()]);
    await Promise.all([a.unregister(), b.unregister()]);
  });

  /** Every key read through the table (get, entry), the native calls and the view agree with `expected`. */
  function agree(t: RedirectTable = table, step = ''): void {
    const view = direct.slots;
    for (let key = 0; key < MAX; key += 1) {
      const want = expected[key];
      const at = `${step}: key ${key}`;
      assert.equal(t.get(key), want, `${at}: get`);
      assert.equal(direct.get(key), want, `${at}: native get`);
      const entry = t.entry(key);
      assert.deepEqual(entry, direct.entry(key), `${at}: entry against the native entry`);
      assert.equal(entry?.ifindex, want, `${at}: entry`);
      if (view !== undefined) {
        assert.equal(view[4 * key + 2], want ?? 0, `${at}: the view's ifindex word`);
        assert.equal(view[4 * key + 3], 0, `${at}: the unused word`);
        assert.equal(view[4 * key] !== 0 || view[4 * key + 1] !== 0, want !== undefined, `${at}: the pointer word`);
      }
    }
  }

  it(VIEWS ? 'an array table has slots (Int32Array, 4 * maxEntries); a hash table has none' : 'no table has slots', async () => {
    const hash = new RedirectHashTable({ maxEntries: MAX });
    const hashHandle = native.openTable(hash.id);
    try {
      assert.equal(hashHandle.slots, undefined);
      assert.equal('slots' in hashHandle, false);
      if (VIEWS) {
        assert.ok(direct.slots instanceof Int32Array);
        assert.equal(direct.slots.length, 4 * MAX);
        assert.equal(direct.slots.byteLength, 16 * MAX);
      } else {
        assert.equal('slots' in direct, false);
      }
    } finally {
      await Promise.all([hash.close(), hashHandle.close()]);
    }
  });

  it(VIEWS ? 'get and entry of an empty slot make no native call; entry of a full one does' : 'get and entry are the native calls', async () => {
    const { table: opened, calls } = openCounted(table.id);
    try {
      direct.set(3, a.ifindex);
      for (let key = 0; key < MAX; key += 1) {
        assert.equal(opened.get(key), key === 3 ? a.ifindex : undefined);
        assert.equal(opened.entry(key)?.ifindex, key === 3 ? a.ifindex : undefined);
      }
      assert.deepEqual(calls, VIEWS ? { get: 0, entry: 1 } : { get: MAX, entry: MAX });
      // Anything unusual goes to the native call.
      assertRedirectError(() => opened.get(MAX), 'E2BIG');
      assert.throws(() => opened.get(1.5), RangeError);
      assert.throws(() => opened.entry('1' as never), TypeError);
      assert.deepEqual(calls, VIEWS ? { get: 2, entry: 2 } : { get: MAX + 2, entry: MAX + 1 });
    } finally {
      await opened.close();
    }
  });

  it('get and entry follow set, delete, compareAndSet, compareAndDelete and the batches', () => {
    agree(table, 'empty');
    expected[0] = a.ifindex;
    const r0 = table.set(0, a.ifindex);
    agree(table, 'set');
    expected[0] = b.ifindex;
    const r1 = table.set(0, b.ifindex); // replaced
    assert.ok(r1 > r0);
    agree(table, 'set over an entry');
    assert.equal(table.delete(0), true);
    expected[0] = undefined;
    agree(table, 'delete');

    const r5 = table.set(5, a.ifindex);
    expected[5] = b.ifindex;
    const r5b = table.compareAndSet(5, b.ifindex, r5);
    agree(table, 'compareAndSet');
    assertRedirectError(() => table.compareAndSet(5, a.ifindex, r5), 'EBUSY'); // stale revision: unchanged
    agree(table, 'compareAndSet refused');
    assertRedirectError(() => table.compareAndDelete(5, r5), 'EBUSY');
    agree(table, 'compareAndDelete refused');
    assert.equal(table.compareAndDelete(5, r5b), true);
    expected[5] = undefined;
    agree(table, 'compareAndDelete');

    const keys = Uint32Array.of(1, 2, 3, 15);
    assert.equal(table.setBatch(keys, Int32Array.of(a.ifindex, b.ifindex, a.ifindex, b.ifindex)), 4);
    [expected[1], expected[2], expected[3], expected[15]] = [a.ifindex, b.ifindex, a.ifindex, b.ifindex];
    agree(table, 'setBatch');
    assertRedirectError(() => table.setBatch(Uint32Array.of(4, MAX), Int32Array.of(a.ifindex, a.ifindex)), 'E2BIG');
    agree(table, 'setBatch refused whole');
    assert.equal(table.deleteBatch(Uint32Array.of(2, 15, 7)), 2);
    expected[2] = expected[15] = undefined;
    agree(table, 'deleteBatch');

    const snap = table.snapshot();
    const statuses = new Int32Array(snap.keys.length);
    assert.equal(table.compareAndDeleteBatch(snap.keys, snap.revisions, snap.lastUsed, statuses), snap.keys.length);
    for (const key of snap.keys) expected[key] = undefined;
    agree(table, 'compareAndDeleteBatch (claimed with lastUsed)');

    table.set(9, a.ifindex);
    assert.equal(table.expire({ idleMs: 0 }).deleted, 1);
    agree(table, 'expire');
  });

  it("get and entry follow the purges of unregister() and moveTo()", async () => {
    table.setBatch(Uint32Array.of(0, 1, 2, 3), Int32Array.of(a.ifindex, b.ifindex, a.ifindex, b.ifindex));
    [expected[0], expected[1], expected[2], expected[3]] = [a.ifindex, b.ifindex, a.ifindex, b.ifindex];
    agree(table, 'set');
    const other = new Namespace(`zc${process.pid % 10000}`);
    try {
      await b.moveTo(other);
      expected[1] = expected[3] = undefined;
      agree(table, 'after moveTo');
      await a.unregister();
      expected[0] = expected[2] = undefined;
      agree(table, 'after unregister');
    } finally {
      await b.unregister();
      await other.destroy();
    }
  });

  it('a destructured get / entry reads the same, and throws EBADF once the handle is closed', async () => {
    const opened = RedirectTable.open(table.id);
    const { get, entry } = opened;
    table.set(4, a.ifindex);
    expected[4] = a.ifindex;
    for (let key = 0; key < MAX; key += 1) {
      assert.equal(get(key), expected[key]);
      assert.deepEqual(entry(key), direct.entry(key));
    }
    await opened.close();
    // The table lives on (other handles) and its view still reads a.ifindex: the closed handle
    // must not answer from it.
    assert.equal(table.get(4), a.ifindex);
    assertRedirectError(() => get(4), 'EBADF');
    assertRedirectError(() => entry(4), 'EBADF');
    assertRedirectError(() => get(5), 'EBADF');
    assertRedirectError(() => entry(5), 'EBADF');
  });

  it('every error is the one the native call throws', async () => {
    table.set(0, a.ifindex);
    const inputs: unknown[] = [
      undefined,
      null,
      true,
      '1',
      '',
      1n,
      {},
      [1],
      Object(1),
      Symbol('key'),
      () => 1,
      NaN,
      Infinity,
      -Infinity,
      -1,
      -0.5,
      0.5,
      1.5,
      MAX - 0.5,
      2 ** 31,
      2 ** 32 - 1,
      2 ** 32,
      2 ** 32 + 1,
      2 ** 53,
      Number.MAX_VALUE,
      -(2 ** 32),
      MAX,
      MAX + 1,
    ];
    const seen = new Set<string>();
    for (const input of inputs) {
      for (const read of ['get', 'entry'] as const) {
        const ours = describeError(thrown(() => (table[read] as (key: unknown) => unknown)(input)));
        const theirs = describeError(thrown(() => (direct[read] as (key: unknown) => unknown)(input)));
        assert.deepEqual(ours, theirs, `${read}(${String(input)})`);
        seen.add(`${ours.constructor}:${ours.code}`);
      }
    }
    // Each kind of refusal was met.
    assert.deepEqual([...seen].sort(), ['RangeError:ERR_OUT_OF_RANGE', 'RedirectError:E2BIG', 'TypeError:ERR_INVALID_ARG_TYPE']);
    // -0 is key 0, as for the native call.
    assert.equal(table.get(-0), a.ifindex);
    assert.equal(direct.get(-0), a.ifindex);
    assert.deepEqual(table.entry(-0), direct.entry(-0));

    // Closed: EBADF before any argument check, as the native call does.
    const closing = RedirectTable.open(table.id);
    const closedDirect = native.openTable(table.id);
    await Promise.all([closing.close(), closedDirect.close()]);
    for (const input of [0, 1, MAX, -1, 1.5, '1', undefined]) {
      for (const read of ['get', 'entry'] as const) {
        const ours = describeError(thrown(() => (closing[read] as (key: unknown) => unknown)(input)));
        const theirs = describeError(thrown(() => (closedDirect[read] as (key: unknown) => unknown)(input)));
        assert.deepEqual(ours, theirs, `closed ${read}(${String(input)})`);
        assert.equal(ours.code, 'EBADF');
      }
    }
  });

  it('E2BIG for every key from maxEntries to 2^32 - 1, whatever the size', async () => {
    for (const maxEntries of [1, 3, 2 ** 20 + 1]) {
      const big = new RedirectTable({ maxEntries });
      const reference = native.openTable(big.id);
      try {
        for (const key of [0, maxEntries - 1]) {
          assert.equal(big.get(key), undefined);
          assert.equal(big.entry(key), undefined);
        }
        for (const key of [maxEntries, maxEntries + 1, 2 ** 31, 2 ** 32 - 1]) {
          for (const read of ['get', 'entry'] as const) {
            assert.deepEqual(describeError(thrown(() => big[read](key))), describeError(thrown(() => reference[read](key))));
          }
          assertRedirectError(() => big.get(key), 'E2BIG');
        }
      } finally {
        await Promise.all([big.close(), reference.close()]);
      }
    }
  });

  it(VIEWS ? 'handles in one thread (RedirectTable.open) share one view while it lives' : 'no handle has a view', async () => {
    const first = openCounted(table.id);
    const second = openCounted(table.id);
    const third = native.openTable(table.id);
    try {
      if (!VIEWS) {
        for (const h of [first.handle, second.handle, third]) assert.equal(h.slots, undefined);
        return;
      }
      assert.ok(first.handle.slots instanceof Int32Array);
      assert.equal(second.handle.slots, first.handle.slots);
      assert.equal(third.slots, first.handle.slots);
      assert.equal(direct.slots, first.handle.slots); // the fixture's, made first
    } finally {
      await Promise.all([first.table.close(), second.table.close(), third.close()]);
    }
  });

  // Beyond 2^28 slots (4 GiB, Node 20's largest buffer) no view is made. Node calls the view's
  // finalizer itself when it refuses a buffer's size: undoing the view again was a double free.
  it('a table too large for a view reads through the native call', function () {
    const maxEntries = 2 ** 28 + 1;
    // In a child process: the failure is a crash. It exits without closing: closing would
    // write every one of the slots (gigabytes).
    const script = `
      const { RedirectTable, Namespace } = require(${JSON.stringify(path.join(__dirname, '..', 'lib'))});
      const { native } = require(${JSON.stringify(path.join(__dirname, '..', 'lib', 'native'))});
      const dev = Namespace.root.createDevice('big0');
      const table = new RedirectTable({ maxEntries: ${maxEntries} });
      const handle = native.openTable(table.id);
      table.set(${maxEntries - 1}, dev.ifindex);
      let code;
      try { table.get(${maxEntries}); } catch (e) { code = e.code; }
      process.stdout.write(JSON.stringify({ slots: 'slots' in handle, last: table.get(${maxEntries - 1}) === dev.ifindex, first: table.get(0) ?? null, code }));
      process.exit(0);
    `;
    const child = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(child.signal, null, `the child died of ${child.signal}: ${child.stderr.slice(-2000)}`);
    assert.equal(child.status, 0, child.stderr);
    assert.deepEqual(JSON.parse(child.stdout), { slots: false, last: true, first: null, code: 'E2BIG' });
  });

  /**
   * A table with no RedirectTable object (so only native handles hold its view), key 1 set; its
   * first view collected, and a new handle opened at once, before that view's finalizer (which
   * runs on a later turn) could run: the case where slot_view() replaces a stale cache entry.
   */
  async function afterCollectedView(): Promise<{ own: NativeTableHandle; handles: NativeTableHandle[]; third: NativeTableHandle }> {
    const gc = (globalThis as { gc?: () => void }).gc!;
    const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
    const own = native.createTable(8, namespaceHandle(Namespace.root), 'array');
    const handles: NativeTableHandle[] = [];
    own.set(1, a.ifindex);
    // In a function of its own, so that no register of this async function keeps the view.
    const weakView = (): WeakRef<Int32Array> => {
      const second = native.openTable(own.id);
      handles.push(second);
      assert.equal(second.slots, own.slots);
      const weak = new WeakRef(own.slots!);
      delete (own as { slots?: Int32Array }).slots;
      delete (second as { slots?: Int32Array }).slots;
      return weak;
    };
    const weak = weakView();
    // A WeakRef keeps its target alive until the end of the job that made or dereferenced it.
    let third: NativeTableHandle | undefined;
    for (let i = 0; i < 10 && third === undefined; i += 1) {
      await turn();
      gc();
      if (weak.deref() === undefined) third = native.openTable(own.id);
    }
    assert.ok(third, 'the view was not collected');
    handles.push(third);
    return { own, handles, third };
  }

  async function settleFinalizers(): Promise<void> {
    for (let i = 0; i < 5; i += 1) {
      (globalThis as { gc?: () => void }).gc!();
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  it(VIEWS ? 'a handle opened after the view was collected, before its finalizer ran, gets a new view' : 'no native handle has a view', async () => {
    if (!VIEWS) {
      const own = native.createTable(8, namespaceHandle(Namespace.root), 'array');
      assert.equal('slots' in own, false);
      return own.close();
    }
    const { own, handles, third } = await afterCollectedView();
    try {
      assert.ok(third.slots instanceof Int32Array);
      assert.equal(third.slots[4 * 1 + 2], a.ifindex);
      await settleFinalizers(); // the old view's finalizer runs: the new view reads on
      own.set(2, b.ifindex);
      assert.deepEqual([third.slots[4 * 1 + 2], third.slots[4 * 2 + 2]], [a.ifindex, b.ifindex]);
    } finally {
      await Promise.all([own.close(), ...handles.map((h) => h.close())]);
    }
  });

  // The old view's finalizer must not evict the new view: it used to compare napi_ref addresses,
  // and the new view's reference could reuse the old one's address.
  it(VIEWS ? 'a view made over a stale cache entry stays the one later handles get' : 'reopened handles have no view either', async () => {
    if (!VIEWS) {
      const own = native.createTable(8, namespaceHandle(Namespace.root), 'array');
      const again = native.openTable(own.id);
      assert.equal('slots' in again, false);
      return Promise.all([own.close(), again.close()]);
    }
    const { own, handles, third } = await afterCollectedView();
    try {
      await settleFinalizers();
      const fourth = native.openTable(own.id);
      handles.push(fourth);
      assert.equal(fourth.slots, third.slots);
    } finally {
      await Promise.all([own.close(), ...handles.map((h) => h.close())]);
    }
  });
});

describe('zero-call reads: lifetime of the slot memory', function () {
  this.timeout(120_000);
  before(skipWithoutViews);

  // Each scenario runs in a child process (a view read after the memory was freed crashes).
  for (const [scenario, title] of [
    ['close-elsewhere', "close() in one thread never invalidates another's view; once the table is freed, surviving views read empty"],
    ['accounting', 'memoryUsage().tables counts the slots until the last view is collected (gc in either thread, exit, terminate), then exactly once'],
    ['workers-gone', "workers that exit (handle left open) or are terminated while spinning on get leave the main thread's reads working"],
    ['loaded-twice', 'the addon loaded again into one environment (main thread and a worker): each instance reads right, views survive'],
  ] as const) {
    it(title, () => {
      const child = spawnSync(process.execPath, ['--expose-gc', path.join(__dirname, 'children', 'slot-lifetime.js'), scenario], {
        encoding: 'utf8',
        timeout: 100_000, // a hang guard only
      });
      assert.equal(child.signal, null, `the child died of ${child.signal}: ${child.stderr.slice(-2000)}`);
      assert.equal(child.status, 0, child.stderr.slice(-2000));
      const last = child.stdout.trim().split('\n').pop() ?? '';
      const report = JSON.parse(last) as LifetimeReport;
      assert.deepEqual(report.failures, []);
      assert.ok(report.checks.length > 0);
    });
  }
});

describe('zero-call reads: the JIT stays honest', function () {
  this.timeout(120_000);
  before(skipWithoutViews);

  const TRIALS = 5;
  const SPIN_MS = 300; // spinning this long before the write, the loop runs optimized code
  const BOUND_MS = 10_000; // a hang guard: a reader that has not seen the write by then failed
  const KEY = 3;

  const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

  /** A worker spinning on get(KEY) of `tableId`, started and spinning for at least SPIN_MS. */
  async function spinner(tableId: number): Promise<{ worker: Worker; shared: Int32Array; report: Promise<SpinnerReport> }> {
    const shared = new Int32Array(new SharedArrayBuffer(8));
    const worker = new Worker(path.join(__dirname, 'workers', 'slot-spinner.js'), { workerData: { tableId, key: KEY, shared } });
    const report = new Promise<SpinnerReport>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`the reader exited (${code}) before it reported`)));
    });
    report.catch(() => undefined); // awaited later
    for (let i = 0; i < BOUND_MS && Atomics.load(shared, 0) === 0; i += 1) await sleep(1);
    assert.equal(Atomics.load(shared, 0), 1, 'the reader did not start');
    const started = performance.now();
    for (let left = SPIN_MS; left > 0; left = SPIN_MS - (performance.now() - started)) await sleep(Math.ceil(left));
    return { worker, shared, report };
  }

  /** The reader's report, or a failure once BOUND_MS have passed (the worker is terminated). */
  async function bounded(worker: Worker, report: Promise<SpinnerReport>): Promise<SpinnerReport> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the spinning reader did not see the write within ${BOUND_MS} ms`)), BOUND_MS);
    });
    try {
      return await Promise.race([report, late]);
    } finally {
      clearTimeout(timer);
      await worker.terminate();
    }
  }

  it(`a reader spinning on get sees a set made by another worker (${TRIALS} trials)`, async () => {
    const [a, b] = [createDevice(), createDevice()];
    try {
      for (let trial = 0; trial < TRIALS; trial += 1) {
        const table = new RedirectTable({ maxEntries: 8 });
        table.set(KEY, a.ifindex);
        const go = new Int32Array(new SharedArrayBuffer(4));
        const writer = new Worker(path.join(__dirname, 'workers', 'slot-writer.js'), {
          workerData: { tableId: table.id, key: KEY, ifindex: b.ifindex, shared: go },
        });
        const messages: string[] = [];
        const wrote = new Promise<void>((resolve, reject) => {
          writer.on('message', (m: string) => {
            messages.push(m);
            if (m === 'set') resolve();
          });
          writer.once('error', reject);
        });
        for (let i = 0; i < BOUND_MS && messages.length === 0; i += 1) await sleep(1);
        assert.deepEqual(messages, ['ready'], 'the writer did not start');
        const { worker, report } = await spinner(table.id);
        Atomics.store(go, 0, 1);
        Atomics.notify(go, 0);
        const seen = await bounded(worker, report);
        await wrote;
        await writer.terminate();
        assert.deepEqual(seen, { before: a.ifindex, after: b.ifindex }, `trial ${trial}`);
        await table.close();
      }
    } finally {
      await Promise.all([a.unregister(), b.unregister()]);
    }
  });

  it(`a reader spinning on get sees the purge made by the addon's native unregister thread (${TRIALS} trials)`, async () => {
    // Unregistering the root end of a veth pair unregisters its peer, in namespace B, on the
    // addon's own native thread (the cross-namespace queue: Namespace::queue_unregister), whose
    // purge empties the slot of B's table.
    const nsB = new Namespace(`zj${process.pid % 10000}`);
    let deferred = 0;
    try {
      for (let trial = 0; trial < TRIALS; trial += 1) {
        const [x, y] = Device.createVethPair({ namespace: Namespace.root, name: `zjx${process.pid % 1000}-${trial}` }, { namespace: nsB, name: `zjy${trial}` });
        const table = new RedirectTable({ maxEntries: 8, namespace: nsB });
        table.set(KEY, y.ifindex);
        const { worker, shared, report } = await spinner(table.id);
        const unregistered = x.unregister();
        // Read right after the call returned: when the entry is still there, the purge did not
        // run inside the call; the main thread then only blocks here, so the purge ran on
        // another thread than this one and the reader (which never writes).
        const rightAfter = table.get(KEY);
        const waited = Atomics.wait(shared, 1, 0, BOUND_MS);
        if (waited === 'timed-out') {
          await worker.terminate();
          assert.fail(`trial ${trial}: the spinning reader did not see the purge within ${BOUND_MS} ms`);
        }
        if (rightAfter === y.ifindex && waited === 'ok') deferred += 1;
        const seen = await bounded(worker, report);
        assert.deepEqual(seen, { before: y.ifindex, after: null }, `trial ${trial}`);
        await unregistered;
        assert.equal(y.state, 'released');
        await table.close();
      }
    } finally {
      await nsB.destroy();
    }
    testNote(`slot-reads JIT: the purge was seen by the spinning reader while the main thread was blocked, after unregister() returned with the entry still there, in ${deferred} of ${TRIALS} trials`);
  });
});

describe('zero-call reads: fallback (REDIRECT_TABLE_SLOT_VIEWS=0)', function () {
  this.timeout(120_000);
  before(skipWithoutViews); // in the child itself

  const withoutViews = { ...process.env, REDIRECT_TABLE_SLOT_VIEWS: '0' };

  it('no handle has slots and reads are the native calls', () => {
    const script = `
      const { RedirectTable, RedirectHashTable, Namespace } = require(${JSON.stringify(path.join(__dirname, '..', 'lib'))});
      const { native } = require(${JSON.stringify(path.join(__dirname, '..', 'lib', 'native'))});
      const dev = Namespace.root.createDevice('fb0');
      const table = new RedirectTable({ maxEntries: 4 });
      const hash = new RedirectHashTable({ maxEntries: 4 });
      table.set(1, dev.ifindex);
      const handles = [native.openTable(table.id), native.openTable(table.id), native.openTable(hash.id)];
      let code;
      try { table.get(4); } catch (e) { code = e.code; }
      process.stdout.write(JSON.stringify({ slots: handles.map((h) => 'slots' in h), get: [table.get(0) ?? null, table.get(1)], entry: table.entry(1).ifindex, code, dev: dev.ifindex }));
    `;
    const child = spawnSync(process.execPath, ['-e', script], { env: withoutViews, encoding: 'utf8', timeout: 60_000 });
    assert.equal(child.status, 0, child.stderr);
    const seen = JSON.parse(child.stdout) as { dev: number };
    assert.deepEqual(seen, { slots: [false, false, false], get: [null, seen.dev], entry: seen.dev, code: 'E2BIG', dev: seen.dev });
  });

  it('the array-table suites pass in a child process without views', function () {
    const names = ['table', 'batch', 'batch-atomicity', 'compare-and-delete', 'bad-input', 'linearizability', 'move', 'device', 'kinds', 'slot-reads'];
    // Every test of those files, as a dry run counts them.
    const listed = runSuites(names, {}, { dryRun: true });
    const child = runSuites(names, withoutViews);
    const run = { passed: child.passed, failed: child.failed, skipped: child.skipped };
    assert.equal(run.failed, 0, child.stdout.slice(-4000));
    assert.equal(child.status, 0, child.stderr.slice(-2000));
    // Every test ran; only this file's parts that need views (all but the behaviour) skipped,
    // besides the tests skipped everywhere.
    const needViews = this.test!.parent!.parent!.suites.filter((s) => s.title.startsWith('zero-call reads: ') && !s.title.endsWith('behaviour'));
    assert.equal(needViews.length, 3);
    const skipped = listed.skipped + needViews.reduce((n, s) => n + s.tests.length, 0);
    assert.deepEqual(run, { passed: listed.passed + listed.skipped - skipped, failed: 0, skipped });
    assert.match(child.stdout, /no table has slots/);
    assert.match(child.stdout, /get and entry are the native calls/);
    testNote(`slot-reads fallback: ${run.passed} passed, ${run.skipped} skipped of ${listed.passed + listed.skipped} without views`);
  });
});
