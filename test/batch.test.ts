import * as assert from 'node:assert/strict';
import { Device, RedirectTable } from '../lib';
import { assertRangeError, assertRedirectError, assertTypeError, createDevice } from './helpers';

describe('RedirectTable batch forms', () => {
  let a: Device;
  let b: Device;
  let table: RedirectTable;

  beforeEach(() => {
    a = createDevice();
    b = createDevice();
    table = new RedirectTable({ maxEntries: 32 });
  });

  afterEach(async () => {
    await table.close();
    await Promise.all([a.unregister(), b.unregister()]);
  });

  const snapshot = (): Array<[number, number | undefined]> => [...table.keys()].map((k) => [k, table.get(k)]);

  it('setBatch sets every key and returns the count', () => {
    const n = table.setBatch(new Uint32Array([1, 2, 31]), new Int32Array([a.ifindex, b.ifindex, a.ifindex]));
    assert.equal(n, 3);
    assert.deepEqual(snapshot(), [
      [1, a.ifindex],
      [2, b.ifindex],
      [31, a.ifindex],
    ]);
    // Uint32Array ifindexes are accepted too; a repeated key takes the last value.
    table.setBatch(new Uint32Array([4, 4]), new Uint32Array([a.ifindex, b.ifindex]));
    assert.equal(table.get(4), b.ifindex);
    assert.equal(table.setBatch(new Uint32Array(0), new Int32Array(0)), 0);
  });

  it('getBatch writes ifindexes, 0 for empty or out-of-range keys, and returns the hits', () => {
    table.set(3, a.ifindex);
    table.set(7, b.ifindex);
    const out = new Int32Array(6).fill(-5);
    const hits = table.getBatch(new Uint32Array([3, 4, 7, 32, 2 ** 32 - 1]), out);
    assert.equal(hits, 2);
    assert.deepEqual([...out], [a.ifindex, 0, b.ifindex, 0, 0, -5]);
    // Works over a SharedArrayBuffer and in place over subarrays.
    const shared = new Uint32Array(new SharedArrayBuffer(16)).fill(7);
    const sharedOut = new Int32Array(new SharedArrayBuffer(16));
    assert.equal(table.getBatch(shared.subarray(1), sharedOut.subarray(1)), 3);
    assert.deepEqual([...sharedOut], [0, b.ifindex, b.ifindex, b.ifindex]);
  });

  it('deleteBatch removes and counts', () => {
    table.setBatch(new Uint32Array([1, 2, 3]), new Int32Array([a.ifindex, a.ifindex, b.ifindex]));
    assert.equal(table.deleteBatch(new Uint32Array([1, 3, 5, 1])), 2);
    assert.deepEqual(snapshot(), [[2, a.ifindex]]);
  });

  it('E2BIG / ENODEV change nothing', async () => {
    table.set(1, a.ifindex);
    const before = snapshot();
    assertRedirectError(
      () => table.setBatch(new Uint32Array([2, 32]), new Int32Array([a.ifindex, a.ifindex])),
      'E2BIG',
      /key 32/
    );
    assertRedirectError(
      () => table.setBatch(new Uint32Array([2, 3, 4]), new Int32Array([a.ifindex, 0x7fffff00, b.ifindex])),
      'ENODEV',
      /ifindexes\[1\]/
    );
    assertRedirectError(() => table.setBatch(new Uint32Array([2]), new Uint32Array([2 ** 32 - 1])), 'ENODEV');
    assertRedirectError(() => table.deleteBatch(new Uint32Array([1, 40])), 'E2BIG');
    assert.deepEqual(snapshot(), before);
    // No usage reference leaked by the failed batches.
    const scratch = new RedirectTable({ maxEntries: 1 });
    await scratch.close();
    assert.equal(a.usageCount, 2);
    assert.equal(b.usageCount, 1);
  });

  it('rejects wrong array types, lengths and detached buffers', () => {
    table.set(1, a.ifindex);
    const before = snapshot();
    const keys = new Uint32Array([1]);
    assertTypeError(() => table.getBatch([1] as unknown as Uint32Array, new Int32Array(1)));
    assertTypeError(() => table.getBatch(new Int32Array([1]) as unknown as Uint32Array, new Int32Array(1)));
    assertTypeError(() => table.getBatch(keys, new Uint32Array(1) as unknown as Int32Array));
    assertTypeError(() => table.getBatch(keys, new Float64Array(1) as unknown as Int32Array));
    assertRangeError(() => table.getBatch(new Uint32Array(3), new Int32Array(2)));
    assertTypeError(() => table.setBatch(keys, [a.ifindex] as unknown as Int32Array));
    assertTypeError(() => table.setBatch(keys, new Float32Array(1) as unknown as Int32Array));
    assertRangeError(() => table.setBatch(new Uint32Array(2), new Int32Array(1)), 'ERR_INVALID_ARG_VALUE');
    assertTypeError(() => table.deleteBatch(new Uint8Array(4) as unknown as Uint32Array));
    assertTypeError(() => table.deleteBatch(undefined as unknown as Uint32Array));
    const detached = new Uint32Array(4);
    structuredClone(detached.buffer, { transfer: [detached.buffer] });
    assertTypeError(() => table.deleteBatch(detached));
    assertTypeError(() => table.getBatch(detached, new Int32Array(4)));
    assert.deepEqual(snapshot(), before);
  });
});
