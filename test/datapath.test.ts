import * as assert from 'node:assert/strict';
import { Device, Namespace, RedirectTable, TraceEvent, Verdict } from '../lib';
import { BULK_SIZE } from '../lib/constants';
import { assertRangeError, assertRedirectError, assertTypeError, createDevice, uniqueName } from './helpers';

const u32 = (values: number[]): Uint32Array => new Uint32Array(values);

/** Drains a device's ring: [ids, lengths]. */
function drain(dev: Device, max = 1 << 16): [number[], number[]] {
  const ids = new Uint32Array(max);
  const lengths = new Uint32Array(max);
  const n = dev.receive(ids, lengths);
  return [[...ids.subarray(0, n)], [...lengths.subarray(0, n)]];
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('datapath', () => {
  let a: Device;
  let b: Device;
  let table: RedirectTable;

  beforeEach(() => {
    a = createDevice({ mtu: 1500 });
    b = createDevice({ mtu: 500 });
    table = new RedirectTable({ maxEntries: 16 });
    table.set(1, a.ifindex);
    table.set(2, b.ifindex);
  });

  afterEach(async () => {
    await table.close();
    await Promise.all([a.unregister(), b.unregister()]);
  });

  describe('redirect()', () => {
    it('returns the delivered count and a verdict per frame', () => {
      const c = createDevice({ up: false });
      table.set(3, c.ifindex);
      const verdicts = new Int32Array(6).fill(7);
      const accepted = table.redirect(u32([1, 2, 5, 3, 2, 99]), u32([10, 11, 12, 13, 14, 15]), u32([100, 100, 100, 100, 501, 100]), verdicts);
      assert.equal(accepted, 2);
      assert.deepEqual([...verdicts], [Verdict.OK, Verdict.OK, Verdict.ENOENT, Verdict.ENETDOWN, Verdict.EMSGSIZE, Verdict.ENOENT]);
      assert.deepEqual(Verdict, { OK: 0, ENOENT: -2, EIO: -5, ENETDOWN: -100, EMSGSIZE: -90, ENOBUFS: -105 });
      assert.deepEqual(drain(a), [[10], [100]]);
      assert.deepEqual(drain(b), [[11], [100]]);
      assert.deepEqual(drain(c), [[], []]);
      assert.deepEqual(table.stats(), {
        redirected: 2,
        misses: 2,
        down: 1,
        tooBig: 1,
        noBufs: 0,
        txErrors: 0,
        flushes: 1,
        bulks: 2,
        bulkAverage: 1,
      });
      return c.unregister();
    });

    it('verdicts are optional; the frames are transmitted before it returns', () => {
      const n = 40;
      const ids = u32(Array.from({ length: n }, (_, i) => 1000 + i));
      assert.equal(table.redirect(new Uint32Array(n).fill(1), ids, new Uint32Array(n).fill(64)), n);
      assert.deepEqual(drain(a)[0], [...ids]);
      const stats = table.stats();
      const bulks = Math.ceil(n / BULK_SIZE); // 16 + 16 + 8
      assert.equal(stats.bulks, bulks);
      assert.ok(Math.abs(stats.bulkAverage - n / bulks) < 1e-9);
      assert.deepEqual(a.stats(), { txFrames: n, txBytes: n * 64, drops: 0, errors: 0, bulks, queued: 0, ringSize: 4096, lanes: 1, wakeups: 0, waiters: 0 });
    });

    it('a device taken down or with a smaller MTU changes verdicts at once', () => {
      a.down();
      const v = new Int32Array(1);
      table.redirect(u32([1]), u32([1]), u32([64]), v);
      assert.equal(v[0], Verdict.ENETDOWN);
      a.up();
      a.setMtu(100);
      table.redirect(u32([1]), u32([2]), u32([101]), v);
      assert.equal(v[0], Verdict.EMSGSIZE);
      assert.equal(table.redirect(u32([1]), u32([3]), u32([100]), v), 1);
      assert.deepEqual(drain(a)[0], [3]);
    });

    it('rejects bad arrays without redirecting anything', () => {
      assertTypeError(() => table.redirect([1] as unknown as Uint32Array, u32([1]), u32([1])));
      assertTypeError(() => table.redirect(u32([1]), new Int32Array(1) as unknown as Uint32Array, u32([1])));
      assertTypeError(() => table.redirect(u32([1]), u32([1]), u32([1]), new Uint32Array(1) as unknown as Int32Array));
      assertRangeError(() => table.redirect(u32([1, 1]), u32([1]), u32([1, 1])), 'ERR_INVALID_ARG_VALUE');
      assertRangeError(() => table.redirect(u32([1, 1]), u32([1, 2]), u32([1, 1]), new Int32Array(1)));
      assert.equal(a.stats().txFrames, 0);
      assert.equal(table.stats().redirected, 0);
    });
  });

  describe('device ring', () => {
    it('keeps order across wrap-around; frames that do not fit are -ENOBUFS and not counted as delivered', async () => {
      const small = Namespace.root.createDevice(uniqueName(), { ringSize: 8 });
      table.set(4, small.ifindex);
      const verdicts = new Int32Array(20);
      const send = (first: number, count: number): number =>
        table.redirect(
          new Uint32Array(count).fill(4),
          u32(Array.from({ length: count }, (_, i) => first + i)),
          new Uint32Array(count).fill(60),
          verdicts
        );
      assert.equal(send(0, 5), 5);
      const three = new Uint32Array(3);
      assert.equal(small.receive(three), 3);
      assert.deepEqual([...three], [0, 1, 2]);
      assert.equal(send(5, 5), 5); // wraps around the 8-slot ring
      assert.deepEqual(drain(small)[0], [3, 4, 5, 6, 7, 8, 9]);
      // Overflow: 20 frames into an empty 8-slot ring -> 8 delivered, 12 refused by the ring.
      assert.equal(send(100, 20), 8);
      assert.deepEqual([...verdicts], [...new Array(8).fill(Verdict.OK), ...new Array(12).fill(Verdict.ENOBUFS)]);
      assert.deepEqual(drain(small)[0], [100, 101, 102, 103, 104, 105, 106, 107]);
      const tableStats = table.stats();
      assert.equal(tableStats.redirected - tableStats.noBufs - tableStats.txErrors, 18);
      assert.equal(tableStats.noBufs, 12);
      const stats = small.stats();
      assert.equal(stats.txFrames, 18);
      assert.equal(stats.drops, 12);
      assert.equal(stats.queued, 0);
      assert.equal(stats.ringSize, 8);
      await small.unregister();
    });

    it('receive copies at most the shorter array and works after unregistration', async () => {
      table.redirect(u32([1, 1, 1]), u32([7, 8, 9]), u32([70, 80, 90]));
      const ids = new Uint32Array(3);
      const lengths = new Uint32Array(1);
      assert.equal(a.receive(ids, lengths), 1);
      assert.deepEqual([ids[0], lengths[0]], [7, 70]);
      await a.unregister();
      assert.equal(a.state, 'released');
      assert.deepEqual(drain(a), [[8, 9], [80, 90]]);
      assert.equal(a.stats().txFrames, 3);
    });

    it('validates ringSize and receive arguments', async () => {
      for (const ringSize of [0, 3, 1000, 2 ** 25, 1.5]) {
        assert.throws(() => Namespace.root.createDevice(uniqueName(), { ringSize }), RangeError);
      }
      assertTypeError(() => Namespace.root.createDevice(uniqueName(), { ringSize: '8' as unknown as number }));
      assertTypeError(() => a.receive(new Int32Array(4) as unknown as Uint32Array));
      assertTypeError(() => a.receive(new Uint32Array(4), [] as unknown as Uint32Array));
      const one = Namespace.root.createDevice(uniqueName(), { ringSize: 1 });
      assert.equal(one.stats().ringSize, 1);
      await one.unregister();
    });
  });

  describe('transmit faults', () => {
    it('error fails whole bulks; acceptAtMost accepts part of each; null clears', () => {
      a.setTransmitFault({ error: true });
      const frames = BULK_SIZE + 4; // a full bulk and one of 4
      const verdicts = new Int32Array(frames);
      // Frames for b share the call: its verdicts stay 0 and they count as delivered.
      assert.equal(table.redirect(u32([1, 1, 2, 1, 1, 1]), u32([1, 2, 50, 3, 4, 5]), new Uint32Array(6).fill(10), verdicts), 1);
      assert.deepEqual([...verdicts.subarray(0, 6)], [Verdict.EIO, Verdict.EIO, Verdict.OK, Verdict.EIO, Verdict.EIO, Verdict.EIO]);
      assert.deepEqual(drain(b)[0], [50]);
      assert.deepEqual(a.stats(), { txFrames: 0, txBytes: 0, drops: 0, errors: 5, bulks: 1, queued: 0, ringSize: 4096, lanes: 1, wakeups: 0, waiters: 0 });
      a.setTransmitFault({ acceptAtMost: 3 });
      const delivered = table.redirect(new Uint32Array(frames).fill(1), u32(Array.from({ length: frames }, (_, i) => 100 + i)), new Uint32Array(frames).fill(10), verdicts);
      // bulks of 16 and 4: 3 + 3 delivered, 13 + 1 refused
      assert.equal(delivered, 6);
      const expected = Array.from({ length: frames }, (_, i) => (i < 3 || (i >= BULK_SIZE && i < BULK_SIZE + 3) ? Verdict.OK : Verdict.ENOBUFS));
      assert.deepEqual([...verdicts], expected);
      assert.deepEqual(drain(a)[0], [100, 101, 102, 100 + BULK_SIZE, 101 + BULK_SIZE, 102 + BULK_SIZE]);
      const stats = a.stats();
      assert.equal(stats.drops, frames - 6);
      assert.equal(stats.errors, 5);
      const tableStats = table.stats();
      assert.deepEqual([tableStats.noBufs, tableStats.txErrors], [frames - 6, 5]);
      a.setTransmitFault(null);
      table.redirect(u32([1]), u32([9]), u32([10]));
      assert.deepEqual(drain(a)[0], [9]);
      assertTypeError(() => a.setTransmitFault(5 as unknown as null));
      assertTypeError(() => a.setTransmitFault({ error: 'yes' as unknown as boolean }));
      assertRangeError(() => a.setTransmitFault({ acceptAtMost: -1 }));
    });
  });

  describe('redirectOne() and flush()', () => {
    it('queues frames until flush()', () => {
      assert.equal(table.redirectOne(1, 5, 100), Verdict.OK);
      assert.equal(table.redirectOne(2, 6, 600), Verdict.EMSGSIZE);
      assert.equal(table.redirectOne(9, 7, 100), Verdict.ENOENT);
      assert.equal(a.stats().queued, 0); // still in this thread's bulk queue
      table.flush();
      assert.deepEqual(drain(a)[0], [5]);
      table.flush(); // nothing pending: harmless
    });

    it('a full bulk (16 frames) is transmitted at once', () => {
      for (let i = 0; i < BULK_SIZE + 1; i += 1) table.redirectOne(1, i, 64);
      assert.equal(a.stats().queued, BULK_SIZE);
      table.flush();
      assert.equal(a.stats().queued, BULK_SIZE + 1);
    });

    it('frames without flush() are transmitted at the end of the task', async () => {
      table.redirectOne(1, 42, 64);
      table.redirectOne(2, 43, 64);
      assert.equal(a.stats().queued + b.stats().queued, 0);
      await tick();
      assert.deepEqual(drain(a)[0], [42]);
      assert.deepEqual(drain(b)[0], [43]);
      assert.equal(table.stats().flushes, 1);
    });

    it('a pending frame keeps its device from completing unregistration until flushed', async () => {
      table.redirectOne(1, 77, 64);
      const done = a.unregister();
      await done; // resolves after the automatic flush ended the read-side section
      assert.equal(table.get(1), undefined); // purged
      assert.deepEqual(drain(a)[0], [77]); // the pending frame reached the ring first
    });

    it('close() with frames pending still delivers them', async () => {
      const t = new RedirectTable({ maxEntries: 4 });
      t.set(0, a.ifindex);
      t.redirectOne(0, 88, 64);
      await t.close();
      assert.deepEqual(drain(a)[0], [88]);
    });

    it('frames pending from one table go out, counted to it, before a batch of another table to the same device', async () => {
      const other = new RedirectTable({ maxEntries: 4 });
      other.set(0, a.ifindex);
      try {
        table.redirectOne(1, 10, 64);
        table.redirectOne(1, 11, 64);
        assert.equal(other.redirect(u32([0, 0]), u32([20, 21]), u32([64, 64])), 2);
        assert.deepEqual(drain(a)[0], [10, 11, 20, 21]); // FIFO per thread
        const mine = table.stats();
        const theirs = other.stats();
        assert.deepEqual([mine.bulks, mine.redirected], [1, 2]);
        assert.deepEqual([theirs.bulks, theirs.redirected], [1, 2]);
        // The other way round: the batch's frames are never left pending for the per-frame API.
        other.redirectOne(0, 30, 64);
        assert.equal(table.redirect(u32([1]), u32([40]), u32([64])), 1);
        assert.deepEqual(drain(a)[0], [30, 40]);
      } finally {
        await other.close();
      }
    });

    it('validates arguments', () => {
      assertTypeError(() => table.redirectOne('1' as unknown as number, 1, 1));
      assertRangeError(() => table.redirectOne(1, -1, 1));
      assertRangeError(() => table.redirectOne(1, 1, 2 ** 32));
    });
  });

  describe('broadcast()', () => {
    it('sends every frame to every entry, once per entry, except the excluded ifindex', () => {
      const c = createDevice();
      table.set(3, c.ifindex);
      table.set(4, c.ifindex); // a second entry for c: two copies
      assert.equal(table.broadcast(u32([1, 2]), u32([100, 100])), 8);
      assert.deepEqual(drain(a)[0], [1, 2]);
      assert.deepEqual(drain(b)[0], [1, 2]);
      assert.deepEqual(drain(c)[0].sort((x, y) => x - y), [1, 1, 2, 2]);
      assert.equal(table.broadcast(u32([3]), u32([100]), { excludeIfindex: c.ifindex }), 2);
      assert.deepEqual([drain(a)[0], drain(b)[0], drain(c)[0]], [[3], [3], []]);
      return c.unregister();
    });

    it('skips down devices and too-long frames per target', () => {
      b.down();
      assert.equal(table.broadcast(u32([1]), u32([100])), 1);
      b.up();
      assert.equal(table.broadcast(u32([2]), u32([600])), 1); // too long for b (MTU 500)
      assert.deepEqual([drain(a)[0], drain(b)[0]], [[1, 2], []]);
      assert.equal(table.stats().tooBig, 1);
    });

    it('returns the copies delivered: a copy a ring refuses is counted, not returned', () => {
      a.setTransmitFault({ acceptAtMost: 1 });
      b.setTransmitFault({ error: true });
      assert.equal(table.broadcast(u32([1, 2, 3]), u32([100, 100, 100])), 1);
      assert.deepEqual([drain(a)[0], drain(b)[0]], [[1], []]);
      const stats = table.stats();
      assert.deepEqual([stats.redirected, stats.noBufs, stats.txErrors], [6, 2, 3]);
    });

    it('validates arguments', () => {
      assertTypeError(() => table.broadcast(u32([1]), u32([1]), null as unknown as object));
      assertRangeError(() => table.broadcast(u32([1, 2]), u32([1])), 'ERR_INVALID_ARG_VALUE');
      assertRangeError(() => table.broadcast(u32([1]), u32([1]), { excludeIfindex: -1 }));
    });
  });

  describe('trace', () => {
    it('reports each bulk while a listener is set, nothing after', () => {
      const events: TraceEvent[] = [];
      table.setTrace((e) => events.push(e));
      a.setTransmitFault({ acceptAtMost: 1 });
      table.redirect(u32([1, 1, 2]), u32([1, 2, 3]), u32([10, 10, 10]));
      assert.deepEqual(
        events.sort((x, y) => x.toIfindex - y.toIfindex),
        [
          { tableId: table.id, fromIfindex: 0, toIfindex: a.ifindex, sent: 1, drops: 1, errors: 0 },
          { tableId: table.id, fromIfindex: 0, toIfindex: b.ifindex, sent: 1, drops: 0, errors: 0 },
        ].sort((x, y) => x.toIfindex - y.toIfindex)
      );
      table.setTrace(null);
      table.redirect(u32([1]), u32([4]), u32([10]));
      assert.equal(events.length, 2);
      assertTypeError(() => table.setTrace(5 as unknown as null));
    });
  });

  it('every datapath method of a closed handle throws EBADF', async () => {
    const handle = RedirectTable.open(table.id);
    await handle.close();
    assertRedirectError(() => handle.redirect(u32([1]), u32([1]), u32([1])), 'EBADF');
    assertRedirectError(() => handle.redirectOne(1, 1, 1), 'EBADF');
    assertRedirectError(() => handle.flush(), 'EBADF');
    assertRedirectError(() => handle.broadcast(u32([1]), u32([1])), 'EBADF');
    assertRedirectError(() => handle.stats(), 'EBADF');
  });
});
