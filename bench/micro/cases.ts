// The micro suite's fixture (two 1,024-entry tables, 16 devices) and its cases: synchronous
// closures that benchmark.js calls in a loop, one table operation (or one batch) per call.
import { Device, Namespace, RedirectHashTable, RedirectTable } from '../../lib';
import { native } from '../../lib/native';
import { DEFAULT_MTU } from '../../lib/constants';

export type TableKind = 'array' | 'hash';

export interface MicroCase {
  name: string;
  kind?: TableKind;
  /** what one call does: 'noop', 'get', 'set', 'delete+set', 'getBatch', 'redirect', 'submit',
   * 'redirectOne' */
  op: string;
  /** keys or frames per call for batched cases; 2 for a delete+set pair; 1 otherwise */
  itemsPerCall: number;
  /** what an item is: 'call', 'op', 'key' or 'frame' */
  itemUnit: 'call' | 'op' | 'key' | 'frame';
  fn: () => void;
  /** counters gathered while the case ran (redirect: frames offered and accepted) */
  counters(): Record<string, number>;
}

import { BATCH_SIZES, DEVICE_COUNT, MAX_ENTRIES } from './shape';

export { BATCH_SIZES, DEVICE_COUNT, MAX_ENTRIES };
/** Length of the fixed random key array that batches (and per-call gets) are drawn from. */
const KEY_POOL = 4096;
/** Rings are drained once this many frames have been offered since the last drain. */
const DRAIN_EVERY = 1 << 16;
const RING_SIZE = 1 << 16;

/** A small seeded generator (mulberry32), so every run draws the same keys. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Keeps results observable so no call can be optimised away.
let sink = 0;
export function sinkValue(): number {
  return sink;
}

export class MicroFixture {
  readonly devices: Device[];
  readonly tables: Record<TableKind, RedirectTable>;
  /** The 1,024 keys of each kind: slot indexes for the array table, scattered u32 for the hash. */
  readonly universe: Record<TableKind, Uint32Array>;
  /** Indexes into `universe` of the keys that hold an entry (3 in 4, shuffled). */
  readonly setIndexes: Uint32Array;
  private readonly drained = new Uint32Array(RING_SIZE);
  private dropsSeen = 0;

  constructor() {
    const tag = `mb${process.pid % 100000}`;
    this.devices = Array.from({ length: DEVICE_COUNT }, (_, i) =>
      Namespace.root.createDevice(`${tag}-${i}`, { ringSize: RING_SIZE })
    );
    this.tables = {
      array: new RedirectTable({ maxEntries: MAX_ENTRIES }),
      hash: new RedirectHashTable({ maxEntries: MAX_ENTRIES }),
    };
    const arrayKeys = Uint32Array.from({ length: MAX_ENTRIES }, (_, i) => i);
    // An odd multiplier is a bijection mod 2^32: 1,024 distinct keys spread over the u32 range.
    const hashKeys = Uint32Array.from({ length: MAX_ENTRIES }, (_, i) => Math.imul(i + 1, 0x9e3779b1) >>> 0);
    this.universe = { array: arrayKeys, hash: hashKeys };
    const random = rng(0x5eed);
    const order = Array.from({ length: MAX_ENTRIES }, (_, i) => i);
    for (let i = order.length - 1; i > 0; i -= 1) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    this.setIndexes = Uint32Array.from(order.slice(0, (MAX_ENTRIES * 3) / 4));
    for (const kind of ['array', 'hash'] as const) {
      for (const i of this.setIndexes) {
        this.tables[kind].set(this.universe[kind][i], this.devices[Math.floor(random() * DEVICE_COUNT)].ifindex);
      }
    }
  }

  /** Empties every device's ring. */
  drain(): void {
    for (const dev of this.devices) while (dev.receive(this.drained) !== 0);
  }

  /** Frames dropped by the devices since the previous call (ring full). */
  newDrops(): number {
    let drops = 0;
    for (const dev of this.devices) drops += dev.stats().drops;
    const fresh = drops - this.dropsSeen;
    this.dropsSeen = drops;
    return fresh;
  }

  async close(): Promise<void> {
    this.drain();
    await Promise.all([this.tables.array.close(), this.tables.hash.close()]);
    await Promise.all(this.devices.map((dev) => dev.unregister()));
  }
}

const none = (): Record<string, number> => ({});

/** Frames a datapath case offered and had accepted, draining the rings every DRAIN_EVERY. */
function frameTally(fx: MicroFixture): { add(offered: number, accepted: number): void; counters(): Record<string, number> } {
  let offered = 0;
  let accepted = 0;
  let sinceDrain = 0;
  return {
    add(n, ok) {
      accepted += ok;
      sinceDrain += n;
      if (sinceDrain >= DRAIN_EVERY) {
        offered += sinceDrain;
        sinceDrain = 0;
        fx.drain();
      }
    },
    counters: () => ({ framesOffered: offered + sinceDrain, framesAccepted: accepted }),
  };
}

/** `count` random indexes into a 1,024-key universe, the same on every run for a given seed. */
function randomKeys(universe: Uint32Array, count: number, seed: number): Uint32Array {
  const random = rng(seed);
  return Uint32Array.from({ length: count }, () => universe[Math.floor(random() * universe.length)]);
}

/** `array` cut into consecutive views of `size` elements (no allocation while cycling through them). */
function windows(array: Uint32Array, size: number): Uint32Array[] {
  return Array.from({ length: array.length / size }, (_, i) => array.subarray(i * size, (i + 1) * size));
}

/** What every case of one table kind draws from. */
interface KindInputs {
  kind: TableKind;
  table: RedirectTable;
  /** the fixture's devices' ifindexes */
  ifindexes: Int32Array;
  /** KEY_POOL keys drawn from the kind's universe (present and absent) */
  pool: Uint32Array;
  /** the keys that hold an entry */
  setKeys: Uint32Array;
  /** frame ids and lengths, one per pool key */
  ids: Uint32Array;
  lengths: Uint32Array;
}

function kindInputs(fx: MicroFixture, kind: TableKind, ifindexes: Int32Array): KindInputs {
  const random = rng(kind === 'array' ? 3 : 4);
  return {
    kind,
    table: fx.tables[kind],
    ifindexes,
    pool: randomKeys(fx.universe[kind], KEY_POOL, kind === 'array' ? 1 : 2),
    setKeys: Uint32Array.from(fx.setIndexes, (i) => fx.universe[kind][i]),
    ids: Uint32Array.from({ length: KEY_POOL }, (_, i) => i),
    lengths: Uint32Array.from({ length: KEY_POOL }, () => 64 + Math.floor(random() * (DEFAULT_MTU - 64 + 1))),
  };
}

/** Per-call get over the key pool (present and absent keys). */
function getCase({ kind, table, pool }: KindInputs): MicroCase {
  const { get } = table;
  const poolMask = KEY_POOL - 1;
  let g = 0;
  return {
    name: `${kind} get`,
    kind,
    op: 'get',
    itemsPerCall: 1,
    itemUnit: 'call',
    fn: () => {
      sink += get(pool[g]) ?? 0;
      g = (g + 1) & poolMask;
    },
    counters: none,
  };
}

/** Replaces an existing entry with another device (the device shifts by one on every pass over
 * the keys, so no set writes the ifindex the slot already holds): the table keeps its 768
 * entries. */
function setCase({ kind, table, ifindexes, setKeys }: KindInputs): MicroCase {
  const { set } = table;
  const setCount = setKeys.length;
  let s = 0;
  let sd = 1;
  return {
    name: `${kind} set (replace entry)`,
    kind,
    op: 'set',
    itemsPerCall: 1,
    itemUnit: 'call',
    fn: () => {
      sink += set(setKeys[s], ifindexes[sd]);
      s += 1;
      sd = (sd + 1) & (DEVICE_COUNT - 1);
      if (s === setCount) {
        s = 0;
        sd = (sd + 1) & (DEVICE_COUNT - 1);
      }
    },
    counters: none,
  };
}

/** A delete needs an entry to delete: each call deletes one entry and sets it again. */
function deleteSetCase({ kind, table, ifindexes, setKeys }: KindInputs): MicroCase {
  const { set } = table;
  const del = table.delete;
  const setCount = setKeys.length;
  let d = 0;
  return {
    name: `${kind} delete+set pair (2 ops)`,
    kind,
    op: 'delete+set',
    itemsPerCall: 2,
    itemUnit: 'op',
    fn: () => {
      const key = setKeys[d];
      sink += Number(del(key)) + set(key, ifindexes[d & (DEVICE_COUNT - 1)]);
      d += 1;
      if (d === setCount) d = 0;
    },
    counters: none,
  };
}

/** getBatch at every batch size. */
function getBatchCases({ kind, table, pool }: KindInputs): MicroCase[] {
  const { getBatch } = table;
  return BATCH_SIZES.map((size): MicroCase => {
    const keyWindows = windows(pool, size);
    const out = new Int32Array(size);
    let w = 0;
    return {
      name: `${kind} getBatch ${size} key${size === 1 ? '' : 's'}`,
      kind,
      op: 'getBatch',
      itemsPerCall: size,
      itemUnit: 'key',
      fn: () => {
        sink += getBatch(keyWindows[w], out);
        w += 1;
        if (w === keyWindows.length) w = 0;
      },
      counters: none,
    };
  });
}

/** Batched redirect at every batch size. */
function redirectCases(fx: MicroFixture, { kind, table, pool, ids, lengths }: KindInputs): MicroCase[] {
  const { redirect } = table;
  return BATCH_SIZES.map((size): MicroCase => {
    const keyWindows = windows(pool, size);
    const idWindows = windows(ids, size);
    const lengthWindows = windows(lengths, size);
    let w = 0;
    const tally = frameTally(fx);
    return {
      name: `${kind} redirect ${size} frame${size === 1 ? '' : 's'}`,
      kind,
      op: 'redirect',
      itemsPerCall: size,
      itemUnit: 'frame',
      fn: () => {
        tally.add(size, redirect(keyWindows[w], idWindows[w], lengthWindows[w]));
        w += 1;
        if (w === keyWindows.length) w = 0;
      },
      counters: tally.counters,
    };
  });
}

/** Staged submission at every batch size: a few queues, each staged once with its own window of
 * the frames, submitted in turn (the staging writes are the caller's, as for redirect's arrays). */
function submitCases(fx: MicroFixture, { kind, table, pool, ids, lengths }: KindInputs): MicroCase[] {
  return BATCH_SIZES.map((size): MicroCase => {
    const queues = Array.from({ length: Math.min(16, KEY_POOL / size) }, (_, q) => {
      const queue = table.submitQueue({ capacity: size });
      queue.keys.set(pool.subarray(q * size, (q + 1) * size));
      queue.ids.set(ids.subarray(q * size, (q + 1) * size));
      queue.lengths.set(lengths.subarray(q * size, (q + 1) * size));
      return queue.submit;
    });
    let q = 0;
    const tally = frameTally(fx);
    return {
      name: `${kind} submit ${size} frame${size === 1 ? '' : 's'}`,
      kind,
      op: 'submit',
      itemsPerCall: size,
      itemUnit: 'frame',
      fn: () => {
        tally.add(size, queues[q](size));
        q += 1;
        if (q === queues.length) q = 0;
      },
      counters: tally.counters,
    };
  });
}

/** Per-frame redirect: frames wait in the bulk queues (transmitted 16 at a time, and at the end
 * of the benchmark's task). */
function redirectOneCase(fx: MicroFixture, { kind, table, pool, ids, lengths }: KindInputs): MicroCase {
  const { redirectOne } = table;
  const poolMask = KEY_POOL - 1;
  let r = 0;
  const tally = frameTally(fx);
  return {
    name: `${kind} redirectOne`,
    kind,
    op: 'redirectOne',
    itemsPerCall: 1,
    itemUnit: 'frame',
    fn: () => {
      tally.add(1, redirectOne(pool[r], ids[r], lengths[r]) === 0 ? 1 : 0);
      r = (r + 1) & poolMask;
    },
    counters: tally.counters,
  };
}

/** The suite, in the order it runs: the no-op native call, then per table kind get, set,
 * delete+set, getBatch, redirect and submit at every batch size, and redirectOne. */
export function buildCases(fx: MicroFixture): MicroCase[] {
  const { noop } = native;
  const cases: MicroCase[] = [{ name: 'native no-op call', op: 'noop', itemsPerCall: 1, itemUnit: 'call', fn: () => noop(), counters: none }];
  const ifindexes = Int32Array.from(fx.devices, (dev) => dev.ifindex);
  for (const kind of ['array', 'hash'] as const) {
    const inputs = kindInputs(fx, kind, ifindexes);
    cases.push(
      getCase(inputs),
      setCase(inputs),
      deleteSetCase(inputs),
      ...getBatchCases(inputs),
      ...redirectCases(fx, inputs),
      ...submitCases(fx, inputs),
      redirectOneCase(fx, inputs)
    );
  }
  return cases;
}
