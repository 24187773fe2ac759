import * as assert from 'node:assert/strict';
import { RedirectTable } from '../lib';
import { assertRangeError, assertRedirectError, assertTypeError, useTableFixture } from './helpers';

describe('RedirectTable batch forms', () => {
  const fx = useTableFixture(32);

  const snapshot = (): Array<[number, number | undefined]> => [...fx.table.keys()].map((k) => [k, fx.table.get(k)]);

  it('setBatch sets every key and returns the count', () => {
    const n = fx.table.setBatch(new Uint32Array([1, 2, 31]), new Int32Array([fx.a.ifindex, fx.b.ifindex, fx.a.ifindex]));
    assert.equal(n, 3);
    assert.deepEqual(snapshot(), [
      [1, fx.a.ifindex],
      [2, fx.b.ifindex],
      [31, fx.a.ifindex],
    ]);
    // Uint32Array ifindexes are accepted too; a repeated key takes the last value.
    fx.table.setBatch(new Uint32Array([4, 4]), new Uint32Array([fx.a.ifindex, fx.b.ifindex]));
    assert.equal(fx.table.get(4), fx.b.ifindex);
    assert.equal(fx.table.setBatch(new Uint32Array(0), new Int32Array(0)), 0);
  });

  it('getBatch writes ifindexes, 0 for empty or out-of-range keys, and returns the hits', () => {
    fx.table.set(3, fx.a.ifindex);
    fx.table.set(7, fx.b.ifindex);
    const out = new Int32Array(6).fill(-5);
    const hits = fx.table.getBatch(new Uint32Array([3, 4, 7, 32, 2 ** 32 - 1]), out);
    assert.equal(hits, 2);
    assert.deepEqual([...out], [fx.a.ifindex, 0, fx.b.ifindex, 0, 0, -5]);
    // Works over a SharedArrayBuffer and in place over subarrays.
    const shared = new Uint32Array(new SharedArrayBuffer(16)).fill(7);
    const sharedOut = new Int32Array(new SharedArrayBuffer(16));
    assert.equal(fx.table.getBatch(shared.subarray(1), sharedOut.subarray(1)), 3);
    assert.deepEqual([...sharedOut], [0, fx.b.ifindex, fx.b.ifindex, fx.b.ifindex]);
  });

  it('deleteBatch removes and counts', () => {
    fx.table.setBatch(new Uint32Array([1, 2, 3]), new Int32Array([fx.a.ifindex, fx.a.ifindex, fx.b.ifindex]));
    assert.equal(fx.table.deleteBatch(new Uint32Array([1, 3, 5, 1])), 2);
    assert.deepEqual(snapshot(), [[2, fx.a.ifindex]]);
  });

  it('E2BIG / ENODEV change nothing', async () => {
    fx.table.set(1, fx.a.ifindex);
    const before = snapshot();
    assertRedirectError(
      () => fx.table.setBatch(new Uint32Array([2, 32]), new Int32Array([fx.a.ifindex, fx.a.ifindex])),
      'E2BIG',
      /key 32/
    );
    assertRedirectError(
      () => fx.table.setBatch(new Uint32Array([2, 3, 4]), new Int32Array([fx.a.ifindex, 0x7fffff00, fx.b.ifindex])),
      'ENODEV',
      /ifindexes\[1\]/
    );
    assertRedirectError(() => fx.table.setBatch(new Uint32Array([2]), new Uint32Array([2 ** 32 - 1])), 'ENODEV');
    assertRedirectError(() => fx.table.deleteBatch(new Uint32Array([1, 40])), 'E2BIG');
    assert.deepEqual(snapshot(), before);
    // No usage reference leaked by the failed batches.
    const scratch = new RedirectTable({ maxEntries: 1 });
    await scratch.close();
    assert.equal(fx.a.usageCount, 2);
    assert.equal(fx.b.usageCount, 1);
  });

  it('rejects wrong array types, lengths and detached buffers', () => {
    fx.table.set(1, fx.a.ifindex);
    const before = snapshot();
    const keys = new Uint32Array([1]);
    assertTypeError(() => fx.table.getBatch([1] as unknown as Uint32Array, new Int32Array(1)));
    assertTypeError(() => fx.table.getBatch(new Int32Array([1]) as unknown as Uint32Array, new Int32Array(1)));
    assertTypeError(() => fx.table.getBatch(keys, new Uint32Array(1) as unknown as Int32Array));
    assertTypeError(() => fx.table.getBatch(keys, new Float64Array(1) as unknown as Int32Array));
    assertRangeError(() => fx.table.getBatch(new Uint32Array(3), new Int32Array(2)));
    assertTypeError(() => fx.table.setBatch(keys, [fx.a.ifindex] as unknown as Int32Array));
    assertTypeError(() => fx.table.setBatch(keys, new Float32Array(1) as unknown as Int32Array));
    assertRangeError(() => fx.table.setBatch(new Uint32Array(2), new Int32Array(1)), 'ERR_INVALID_ARG_VALUE');
    assertTypeError(() => fx.table.deleteBatch(new Uint8Array(4) as unknown as Uint32Array));
    assertTypeError(() => fx.table.deleteBatch(undefined as unknown as Uint32Array));
    const detached = new Uint32Array(4);
    structuredClone(detached.buffer, { transfer: [detached.buffer] });
    assertTypeError(() => fx.table.deleteBatch(detached));
    assertTypeError(() => fx.table.getBatch(detached, new Int32Array(4)));
    assert.deepEqual(snapshot(), before);
  });
});
