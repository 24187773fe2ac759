import * as assert from 'node:assert/strict';
import { Namespace, RedirectHashTable, RedirectTable, Verdict } from '../lib';
import { assertRangeError, assertRedirectError, assertTypeError, createDevice, useTableFixture } from './helpers';

describe('RedirectHashTable', () => {
  const fx = useTableFixture(4, 'hash');

  it('takes any u32 key, up to maxEntries entries; replacing never needs room', () => {
    const t = fx.table;
    assert.ok(t instanceof RedirectHashTable);
    const big = 2 ** 32 - 1;
    t.set(big, fx.a.ifindex);
    t.set(7, fx.b.ifindex);
    t.set(0, fx.a.ifindex);
    t.set(1000, fx.a.ifindex);
    assert.deepEqual([...t.keys()], [0, 7, 1000, big]);
    assertRedirectError(() => t.set(5, fx.a.ifindex), 'E2BIG', /full/);
    const rev = t.set(7, fx.a.ifindex); // replace: no room needed
    assert.deepEqual(t.entry(7) && [t.entry(7)?.ifindex, t.entry(7)?.revision], [fx.a.ifindex, rev]);
    assert.equal(t.delete(1000), true);
    assert.equal(t.delete(1000), false);
    t.set(5, fx.b.ifindex); // room again
    assert.equal(t.get(5), fx.b.ifindex);
    assert.equal(t.get(123456), undefined);
    assertRangeError(() => t.get(-1));
    assertTypeError(() => t.set('1' as unknown as number, fx.a.ifindex));
    assertRedirectError(() => t.set(9, 0x7ffffff0), 'ENODEV');
  });

  it('batches: a setBatch that would overflow changes nothing', () => {
    const t = fx.table;
    assert.equal(t.setBatch(new Uint32Array([10, 20]), new Int32Array([fx.a.ifindex, fx.b.ifindex])), 2);
    assertRedirectError(
      () => t.setBatch(new Uint32Array([30, 40, 50]), new Int32Array([fx.a.ifindex, fx.a.ifindex, fx.a.ifindex])),
      'E2BIG'
    );
    assert.deepEqual([...t.keys()], [10, 20]);
    assertRedirectError(() => t.setBatch(new Uint32Array([30]), new Int32Array([0])), 'ENODEV');
    const out = new Int32Array(3);
    assert.equal(t.getBatch(new Uint32Array([10, 99, 20]), out), 2);
    assert.deepEqual([...out], [fx.a.ifindex, 0, fx.b.ifindex]);
    assert.equal(t.deleteBatch(new Uint32Array([10, 99, 20])), 2);
    assert.deepEqual([...t.keys()], []);
  });

  it('redirects, per call and per frame, and broadcasts', async () => {
    const t = fx.table;
    t.set(100, fx.a.ifindex);
    t.set(200, fx.b.ifindex);
    const v = new Int32Array(3);
    assert.equal(t.redirect(new Uint32Array([100, 200, 300]), new Uint32Array([1, 2, 3]), new Uint32Array([64, 64, 64]), v), 2);
    assert.deepEqual([...v], [0, 0, Verdict.ENOENT]);
    assert.equal(t.redirectOne(200, 4, 64), 0);
    await new Promise((resolve) => setImmediate(resolve)); // flushed at the end of the task
    assert.equal(t.broadcast(new Uint32Array([5]), new Uint32Array([64]), { excludeIfindex: fx.b.ifindex }), 1);
    const ids = new Uint32Array(8);
    assert.equal(fx.a.receive(ids), 2);
    assert.deepEqual([...ids.subarray(0, 2)], [1, 5]);
    assert.equal(fx.b.receive(ids), 2);
    assert.deepEqual([...ids.subarray(0, 2)], [2, 4]);
    assert.equal(t.stats().redirected, 4);
  });

  it('the unregister notifier purges hash tables too (or the device would never be freed)', async () => {
    const dev = createDevice();
    fx.table.set(1, dev.ifindex);
    fx.table.set(2, dev.ifindex);
    await dev.unregister();
    assert.deepEqual([...fx.table.keys()], []);
    assert.equal(dev.state, 'released');
  });

  it('a move purges the device from hash tables', async () => {
    const ns = new Namespace(`h${process.pid % 1000}-mv`);
    const dev = createDevice();
    fx.table.set(3, dev.ifindex);
    await dev.moveTo(ns);
    assert.equal(fx.table.get(3), undefined);
    return ns.destroy();
  });

  it('opens by id as a RedirectHashTable, closes, and rejects bad options', async () => {
    const same = RedirectTable.open(fx.table.id);
    assert.ok(same instanceof RedirectHashTable);
    assert.equal(same.maxEntries, 4);
    await same.close();
    assertRedirectError(() => same.get(1), 'EBADF');
    assertRangeError(() => new RedirectHashTable({ maxEntries: 0 }));
    assertTypeError(() => new RedirectHashTable(null as never));
    const ns = new Namespace(`h${process.pid % 1000}-ns`);
    const inNs = new RedirectHashTable({ maxEntries: 2, namespace: ns });
    assert.equal(inNs.namespace, ns);
    await inNs.close();
    await ns.destroy();
  });
});
