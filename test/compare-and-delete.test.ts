import * as assert from 'node:assert/strict';
import { assertRangeError, assertRedirectError, assertTypeError, createDevice, useTableFixture } from './helpers';

const ENOENT = -2;
const EBUSY = -16;
const E2BIG = -7;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

for (const kind of ['array', 'hash'] as const) describe(`compare-and-delete (${kind} table)`, () => {
  const fx = useTableFixture(16, kind);
  // Array tables refuse keys beyond their slots; a hash table simply has no such entry.
  const outOfRange = kind === 'array' ? E2BIG : ENOENT;

  const redirectTo = (key: number): number => fx.table.redirect(new Uint32Array([key]), new Uint32Array([1]), new Uint32Array([64]));

  it('compareAndDelete deletes only the given revision', () => {
    const rev = fx.table.set(1, fx.a.ifindex);
    assertRedirectError(() => fx.table.compareAndDelete(1, rev + 1), 'EBUSY');
    assertRedirectError(() => fx.table.compareAndDelete(2, rev), 'ENOENT');
    assertRedirectError(() => fx.table.compareAndDelete(16, rev), kind === 'array' ? 'E2BIG' : 'ENOENT');
    assertRangeError(() => fx.table.compareAndDelete(1, -1));
    assertTypeError(() => fx.table.compareAndDelete(1, '1' as unknown as number));
    assert.equal(fx.table.get(1), fx.a.ifindex);
    assert.equal(fx.table.compareAndDelete(1, rev), true);
    assert.equal(fx.table.get(1), undefined);
    assertRedirectError(() => fx.table.compareAndDelete(1, rev), 'ENOENT');
  });

  it('compareAndSet replaces only the given revision', () => {
    const rev = fx.table.set(3, fx.a.ifindex);
    assertRedirectError(() => fx.table.compareAndSet(3, fx.b.ifindex, rev + 7), 'EBUSY');
    assertRedirectError(() => fx.table.compareAndSet(4, fx.b.ifindex, rev), 'ENOENT');
    assertRedirectError(() => fx.table.compareAndSet(3, 0x7ffffff0, rev), 'ENODEV');
    assert.equal(fx.table.get(3), fx.a.ifindex);
    const next = fx.table.compareAndSet(3, fx.b.ifindex, rev);
    assert.ok(next > rev);
    assert.deepEqual([fx.table.get(3), fx.table.entry(3)?.revision], [fx.b.ifindex, next]);
    assertRedirectError(() => fx.table.compareAndSet(3, fx.a.ifindex, rev), 'EBUSY');
  });

  describe('interleavings a collector meets', () => {
    it('snapshot, datapath refresh, conditional delete -> EBUSY', async () => {
      fx.table.set(1, fx.a.ifindex);
      const snap = fx.table.snapshot();
      await sleep(30); // the coarse clock ticks (4 ms or less)
      assert.equal(redirectTo(1), 1); // a hit refreshes lastUsed
      const statuses = new Int32Array(1);
      assert.equal(fx.table.compareAndDeleteBatch(snap.keys, snap.revisions, snap.lastUsed, statuses), 0);
      assert.deepEqual([...statuses], [EBUSY]);
      assert.equal(fx.table.get(1), fx.a.ifindex);
      assert.ok((fx.table.entry(1)?.lastUsed ?? 0) > snap.lastUsed[0]);
    });

    it('snapshot, set, conditional delete -> EBUSY', () => {
      fx.table.set(1, fx.a.ifindex);
      const snap = fx.table.snapshot();
      fx.table.set(1, fx.b.ifindex);
      const statuses = new Int32Array(1);
      assert.equal(fx.table.compareAndDeleteBatch(snap.keys, snap.revisions, undefined, statuses), 0);
      assert.deepEqual([...statuses], [EBUSY]);
      assert.equal(fx.table.get(1), fx.b.ifindex);
    });

    it('snapshot, delete, conditional delete -> ENOENT', () => {
      fx.table.set(1, fx.a.ifindex);
      const snap = fx.table.snapshot();
      fx.table.delete(1);
      const statuses = new Int32Array(1);
      fx.table.compareAndDeleteBatch(snap.keys, snap.revisions, snap.lastUsed, statuses);
      assert.deepEqual([...statuses], [ENOENT]);
    });

    it('snapshot, unregister purge, conditional delete -> ENOENT', async () => {
      const c = createDevice();
      fx.table.set(2, c.ifindex);
      const snap = fx.table.snapshot();
      await c.unregister();
      const statuses = new Int32Array(1);
      fx.table.compareAndDeleteBatch(snap.keys, snap.revisions, snap.lastUsed, statuses);
      assert.deepEqual([...statuses], [ENOENT]);
    });

    it('a batch never stops at the first failure', () => {
      const r1 = fx.table.set(1, fx.a.ifindex);
      const r2 = fx.table.set(2, fx.b.ifindex);
      const r3 = fx.table.set(3, fx.a.ifindex);
      const statuses = new Int32Array(5).fill(99);
      const keys = new Uint32Array([1, 9, 2, 3, 40]);
      const revisions = new Float64Array([r1, 5, r2 + 1, r3, r3]);
      assert.equal(fx.table.compareAndDeleteBatch(keys, revisions, undefined, statuses), 2);
      assert.deepEqual([...statuses], [0, ENOENT, EBUSY, 0, outOfRange]);
      assert.deepEqual([...fx.table.keys()], [2]);
    });
  });

  it('snapshot lists every entry with its revision and lastUsed', () => {
    const r1 = fx.table.set(4, fx.a.ifindex);
    const r2 = fx.table.set(9, fx.b.ifindex);
    const snap = fx.table.snapshot();
    assert.deepEqual([...snap.keys], [4, 9]);
    assert.deepEqual([...snap.ifindexes], [fx.a.ifindex, fx.b.ifindex]);
    assert.deepEqual([...snap.revisions], [r1, r2]);
    assert.ok(snap.lastUsed instanceof Float64Array && snap.lastUsed.every((t) => t > 0));
  });

  it('expire deletes idle entries and keeps those used since', async () => {
    fx.table.set(1, fx.a.ifindex);
    fx.table.set(2, fx.b.ifindex);
    await sleep(60);
    redirectTo(2); // key 2 is busy, key 1 idle
    assert.deepEqual(fx.table.expire({ idleMs: 40 }), { deleted: 1, busy: 0 });
    assert.deepEqual([...fx.table.keys()], [2]);
    assert.deepEqual(fx.table.expire({ idleMs: 1_000_000 }), { deleted: 0, busy: 0 });
    assertTypeError(() => fx.table.expire({} as { idleMs: number }));
    assertRangeError(() => fx.table.expire({ idleMs: -1 }));
  });

  it('rejects bad batch arguments', () => {
    const keys = new Uint32Array(2);
    assertTypeError(() => fx.table.compareAndDeleteBatch(keys, new Uint32Array(2) as unknown as Float64Array));
    assertTypeError(() => fx.table.compareAndDeleteBatch(keys, new Float64Array(2), [] as unknown as Float64Array));
    assertRangeError(() => fx.table.compareAndDeleteBatch(keys, new Float64Array(1)), 'ERR_INVALID_ARG_VALUE');
    assertRangeError(() => fx.table.compareAndDeleteBatch(keys, new Float64Array(2), undefined, new Int32Array(1)), 'ERR_INVALID_ARG_VALUE');
  });
});
