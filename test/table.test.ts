import * as assert from 'node:assert/strict';
import { Device, Namespace, RedirectTable } from '../lib';
import { native } from '../lib/native';
import { assertRangeError, assertRedirectError, assertTypeError, collectGarbage, createDevice } from './helpers';

describe('RedirectTable', () => {
  let eth0: Device;
  let eth1: Device;
  let table: RedirectTable;

  beforeEach(() => {
    eth0 = createDevice();
    eth1 = createDevice();
    table = new RedirectTable({ maxEntries: 64 });
  });

  afterEach(async () => {
    await table.close();
    await Promise.all([eth0.unregister(), eth1.unregister()]);
  });

  /** Everything observable about the table's contents. */
  function contents(t: RedirectTable = table): Array<[number, number, number]> {
    return [...t.keys()].map((k) => {
      const e = t.entry(k);
      assert.ok(e);
      return [k, e.ifindex, e.revision];
    });
  }

  it('has an id, maxEntries and the root namespace', () => {
    assert.ok(Number.isInteger(table.id) && table.id > 0);
    assert.equal(table.maxEntries, 64);
    assert.equal(table.namespace, Namespace.root);
    assert.equal(table.closed, false);
    const other = new RedirectTable({ maxEntries: 1, namespace: Namespace.root });
    assert.notEqual(other.id, table.id);
    return other.close();
  });

  it('set/get/delete/entry/keys', () => {
    assert.equal(table.get(5), undefined);
    assert.equal(table.entry(5), undefined);
    const rev = table.set(5, eth0.ifindex);
    assert.equal(table.get(5), eth0.ifindex);
    const entry = table.entry(5);
    assert.deepEqual({ ...entry, lastUsed: 0 }, { ifindex: eth0.ifindex, revision: rev, lastUsed: 0 });
    assert.ok(entry && Math.abs(entry.lastUsed - RedirectTable.clock()) < 1000); // stamped at creation
    table.set(63, eth1.ifindex);
    table.set(0, eth1.ifindex);
    assert.deepEqual([...table.keys()], [0, 5, 63]);
    assert.ok(table.keys() instanceof Uint32Array);
    assert.equal(table.delete(5), true);
    assert.equal(table.delete(5), false);
    assert.equal(table.get(5), undefined);
    assert.deepEqual([...table.keys()], [0, 63]);
  });

  it('gives every set a new, larger, safe-integer revision', () => {
    const r1 = table.set(1, eth0.ifindex);
    const r2 = table.set(1, eth0.ifindex);
    const r3 = table.set(2, eth1.ifindex);
    assert.ok(Number.isSafeInteger(r1));
    assert.ok(r2 > r1 && r3 > r2);
    assert.equal(table.entry(1)?.revision, r2);
  });

  it('holds a usage reference on the device per entry, dropped after a grace period', async () => {
    assert.equal(eth0.usageCount, 1);
    table.set(1, eth0.ifindex);
    table.set(2, eth0.ifindex);
    assert.equal(eth0.usageCount, 3);
    table.delete(1);
    table.set(2, eth1.ifindex);
    // Released by call_rcu callbacks: wait for them through a close of a scratch table.
    const scratch = new RedirectTable({ maxEntries: 1 });
    await scratch.close();
    await waitFor(() => eth0.usageCount === 1);
    assert.equal(eth1.usageCount, 2);
  });

  it('E2BIG for keys >= maxEntries', () => {
    table.set(1, eth0.ifindex);
    const before = contents();
    assertRedirectError(() => table.set(64, eth0.ifindex), 'E2BIG', /key 64 is out of range \(maxEntries 64\)/);
    assertRedirectError(() => table.get(64), 'E2BIG');
    assertRedirectError(() => table.delete(1000), 'E2BIG');
    assertRedirectError(() => table.entry(2 ** 32 - 1), 'E2BIG');
    assert.deepEqual(contents(), before);
  });

  it('ENODEV for unknown, zero and unregistered ifindexes', async () => {
    table.set(1, eth0.ifindex);
    const before = contents();
    assertRedirectError(() => table.set(2, 0x7ffffff0), 'ENODEV', /no registered device with ifindex/);
    assertRedirectError(() => table.set(2, 0), 'ENODEV');
    const gone = createDevice();
    const done = gone.unregister();
    assertRedirectError(() => table.set(2, gone.ifindex), 'ENODEV');
    await done;
    assertRedirectError(() => table.set(1, gone.ifindex), 'ENODEV');
    assert.deepEqual(contents(), before);
  });

  it('TypeError / RangeError for bad keys and ifindexes, with no state change', () => {
    table.set(1, eth0.ifindex);
    const before = contents();
    for (const bad of ['1', null, undefined, {}, 1n, true]) {
      assertTypeError(() => table.get(bad as unknown as number));
      assertTypeError(() => table.set(bad as unknown as number, eth0.ifindex));
      assertTypeError(() => table.set(2, bad as unknown as number));
      assertTypeError(() => table.delete(bad as unknown as number));
      assertTypeError(() => table.entry(bad as unknown as number));
    }
    for (const bad of [-1, 1.5, NaN, Infinity, -Infinity, 2 ** 32]) {
      assertRangeError(() => table.get(bad));
      assertRangeError(() => table.set(bad, eth0.ifindex));
      assertRangeError(() => table.delete(bad));
      assertRangeError(() => table.entry(bad));
    }
    for (const bad of [-1, 0.5, NaN, 2 ** 31]) assertRangeError(() => table.set(2, bad));
    assertTypeError(() => (table.set as (k?: number) => number)());
    assert.deepEqual(contents(), before);
  });

  it('constructor validates its options', () => {
    const before = native.liveTableCount();
    assertTypeError(() => new RedirectTable(undefined as unknown as { maxEntries: number }));
    assertTypeError(() => new RedirectTable({ maxEntries: '8' as unknown as number }));
    assertTypeError(() => new RedirectTable({ maxEntries: 8, namespace: {} as Namespace }));
    for (const maxEntries of [0, -1, 1.5, NaN, 2 ** 32]) assertRangeError(() => new RedirectTable({ maxEntries }));
    assert.equal(native.liveTableCount(), before);
  });

  it('ENOMEM when the slots cannot be allocated', () => {
    // 2^32 - 1 slots of 8 bytes: 32 GiB, more than the machine and its overcommit allow.
    assertRedirectError(() => new RedirectTable({ maxEntries: 2 ** 32 - 1 }), 'ENOMEM');
  });

  it('works with a large table (1,000,000 slots)', async () => {
    const big = new RedirectTable({ maxEntries: 1_000_000 });
    big.set(999_999, eth0.ifindex);
    assert.equal(big.get(999_999), eth0.ifindex);
    assert.deepEqual([...big.keys()], [999_999]);
    await big.close();
  });

  describe('open(id) and close()', () => {
    it('open returns a handle onto the same table', async () => {
      const same = RedirectTable.open(table.id);
      assert.notEqual(same, table);
      assert.equal(same.id, table.id);
      assert.equal(same.maxEntries, table.maxEntries);
      assert.equal(same.namespace, Namespace.root);
      table.set(3, eth0.ifindex);
      assert.equal(same.get(3), eth0.ifindex);
      same.delete(3);
      assert.equal(table.get(3), undefined);
      await same.close();
      assert.equal(table.get(3), undefined); // still open
    });

    it('open rejects unknown ids and bad ids', () => {
      assertRedirectError(() => RedirectTable.open(0x7fffffff), 'ENOENT', /no open table/);
      assertTypeError(() => RedirectTable.open('1' as unknown as number));
      assertRangeError(() => RedirectTable.open(-1));
    });

    it('a closed handle throws EBADF from every method; close is idempotent', async () => {
      const handle = RedirectTable.open(table.id);
      await handle.close();
      assert.equal(handle.closed, true);
      const calls: Array<() => unknown> = [
        () => handle.get(1),
        () => handle.set(1, eth0.ifindex),
        () => handle.delete(1),
        () => handle.entry(1),
        () => handle.keys(),
        () => handle.getBatch(new Uint32Array(1), new Int32Array(1)),
        () => handle.setBatch(new Uint32Array(1), new Int32Array([eth0.ifindex])),
        () => handle.deleteBatch(new Uint32Array(1)),
      ];
      for (const call of calls) assertRedirectError(call, 'EBADF', /closed/);
      // A detached method is still bound to the closed handle.
      const get = handle.get;
      assertRedirectError(() => get(1), 'EBADF');
      assert.equal(await handle.close(), undefined);
      assert.equal(table.closed, false);
    });

    it('the table is freed after its last handle closes', async () => {
      const t = new RedirectTable({ maxEntries: 8 });
      const id = t.id;
      const second = RedirectTable.open(id);
      t.set(1, eth0.ifindex);
      assert.equal(eth0.usageCount, 2);
      await t.close();
      assert.equal(second.get(1), eth0.ifindex);
      await second.close();
      assertRedirectError(() => RedirectTable.open(id), 'ENOENT');
      assert.equal(eth0.usageCount, 1); // the entry was freed with the table
    });

    it('a garbage-collected handle releases its reference', async () => {
      const t = new RedirectTable({ maxEntries: 8 });
      const id = t.id;
      (() => {
        RedirectTable.open(id); // dropped without close()
      })();
      await collectGarbage();
      await t.close();
      assertRedirectError(() => RedirectTable.open(id), 'ENOENT');
    });

    it('tables keep working after a device they reference is unregistered and closed', async () => {
      const dev = createDevice();
      const t = new RedirectTable({ maxEntries: 4 });
      t.set(0, dev.ifindex);
      const closed = t.close();
      await dev.unregister();
      await closed;
      assert.equal(dev.state, 'released');
    });
  });
});

async function waitFor(predicate: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
