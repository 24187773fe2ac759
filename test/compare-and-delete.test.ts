import * as assert from 'node:assert/strict';
import { Device, RedirectTable } from '../lib';
import { assertRangeError, assertRedirectError, assertTypeError, createDevice } from './helpers';

const ENOENT = -2;
const EBUSY = -16;
const E2BIG = -7;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('compare-and-delete (array table)', () => {
  let a: Device;
  let b: Device;
  let table: RedirectTable;

  beforeEach(() => {
    a = createDevice();
    b = createDevice();
    table = new RedirectTable({ maxEntries: 16 });
  });

  afterEach(async () => {
    await table.close();
    await Promise.all([a.unregister(), b.unregister()]);
  });

  const redirectTo = (key: number): number => table.redirect(new Uint32Array([key]), new Uint32Array([1]), new Uint32Array([64]));

  it('compareAndDelete deletes only the given revision', () => {
    const rev = table.set(1, a.ifindex);
    assertRedirectError(() => table.compareAndDelete(1, rev + 1), 'EBUSY');
    assertRedirectError(() => table.compareAndDelete(2, rev), 'ENOENT');
    assertRedirectError(() => table.compareAndDelete(16, rev), 'E2BIG');
    assertRangeError(() => table.compareAndDelete(1, -1));
    assertTypeError(() => table.compareAndDelete(1, '1' as unknown as number));
    assert.equal(table.get(1), a.ifindex);
    assert.equal(table.compareAndDelete(1, rev), true);
    assert.equal(table.get(1), undefined);
    assertRedirectError(() => table.compareAndDelete(1, rev), 'ENOENT');
  });

  it('compareAndSet replaces only the given revision', () => {
    const rev = table.set(3, a.ifindex);
    assertRedirectError(() => table.compareAndSet(3, b.ifindex, rev + 7), 'EBUSY');
    assertRedirectError(() => table.compareAndSet(4, b.ifindex, rev), 'ENOENT');
    assertRedirectError(() => table.compareAndSet(3, 0x7ffffff0, rev), 'ENODEV');
    assert.equal(table.get(3), a.ifindex);
    const next = table.compareAndSet(3, b.ifindex, rev);
    assert.ok(next > rev);
    assert.deepEqual([table.get(3), table.entry(3)?.revision], [b.ifindex, next]);
    assertRedirectError(() => table.compareAndSet(3, a.ifindex, rev), 'EBUSY');
  });

  describe('interleavings a collector meets', () => {
    it('snapshot, datapath refresh, conditional delete -> EBUSY', async () => {
      table.set(1, a.ifindex);
      const snap = table.snapshot();
      await sleep(30); // the coarse clock ticks (4 ms or less)
      assert.equal(redirectTo(1), 1); // a hit refreshes lastUsed
      const statuses = new Int32Array(1);
      assert.equal(table.compareAndDeleteBatch(snap.keys, snap.revisions, snap.lastUsed, statuses), 0);
      assert.deepEqual([...statuses], [EBUSY]);
      assert.equal(table.get(1), a.ifindex);
      assert.ok((table.entry(1)?.lastUsed ?? 0) > snap.lastUsed[0]);
    });

    it('snapshot, set, conditional delete -> EBUSY', () => {
      table.set(1, a.ifindex);
      const snap = table.snapshot();
      table.set(1, b.ifindex);
      const statuses = new Int32Array(1);
      assert.equal(table.compareAndDeleteBatch(snap.keys, snap.revisions, undefined, statuses), 0);
      assert.deepEqual([...statuses], [EBUSY]);
      assert.equal(table.get(1), b.ifindex);
    });

    it('snapshot, delete, conditional delete -> ENOENT', () => {
      table.set(1, a.ifindex);
      const snap = table.snapshot();
      table.delete(1);
      const statuses = new Int32Array(1);
      table.compareAndDeleteBatch(snap.keys, snap.revisions, snap.lastUsed, statuses);
      assert.deepEqual([...statuses], [ENOENT]);
    });

    it('snapshot, unregister purge, conditional delete -> ENOENT', async () => {
      const c = createDevice();
      table.set(2, c.ifindex);
      const snap = table.snapshot();
      await c.unregister();
      const statuses = new Int32Array(1);
      table.compareAndDeleteBatch(snap.keys, snap.revisions, snap.lastUsed, statuses);
      assert.deepEqual([...statuses], [ENOENT]);
    });

    it('a batch never stops at the first failure', () => {
      const r1 = table.set(1, a.ifindex);
      const r2 = table.set(2, b.ifindex);
      const r3 = table.set(3, a.ifindex);
      const statuses = new Int32Array(5).fill(99);
      const keys = new Uint32Array([1, 9, 2, 3, 40]);
      const revisions = new Float64Array([r1, 5, r2 + 1, r3, r3]);
      assert.equal(table.compareAndDeleteBatch(keys, revisions, undefined, statuses), 2);
      assert.deepEqual([...statuses], [0, ENOENT, EBUSY, 0, E2BIG]);
      assert.deepEqual([...table.keys()], [2]);
    });
  });

  it('snapshot lists every entry with its revision and lastUsed', () => {
    const r1 = table.set(4, a.ifindex);
    const r2 = table.set(9, b.ifindex);
    const snap = table.snapshot();
    assert.deepEqual([...snap.keys], [4, 9]);
    assert.deepEqual([...snap.ifindexes], [a.ifindex, b.ifindex]);
    assert.deepEqual([...snap.revisions], [r1, r2]);
    assert.ok(snap.lastUsed instanceof Float64Array && snap.lastUsed.every((t) => t > 0));
  });

  it('expire deletes idle entries and keeps those used since', async () => {
    table.set(1, a.ifindex);
    table.set(2, b.ifindex);
    await sleep(60);
    redirectTo(2); // key 2 is busy, key 1 idle
    assert.deepEqual(table.expire({ idleMs: 40 }), { deleted: 1, busy: 0 });
    assert.deepEqual([...table.keys()], [2]);
    assert.deepEqual(table.expire({ idleMs: 1_000_000 }), { deleted: 0, busy: 0 });
    assertTypeError(() => table.expire({} as { idleMs: number }));
    assertRangeError(() => table.expire({ idleMs: -1 }));
  });

  it('rejects bad batch arguments', () => {
    const keys = new Uint32Array(2);
    assertTypeError(() => table.compareAndDeleteBatch(keys, new Uint32Array(2) as unknown as Float64Array));
    assertTypeError(() => table.compareAndDeleteBatch(keys, new Float64Array(2), [] as unknown as Float64Array));
    assertRangeError(() => table.compareAndDeleteBatch(keys, new Float64Array(1)), 'ERR_INVALID_ARG_VALUE');
    assertRangeError(() => table.compareAndDeleteBatch(keys, new Float64Array(2), undefined, new Int32Array(1)), 'ERR_INVALID_ARG_VALUE');
  });
});
