// A reference model of one redirect table (array or hash) and its devices, and the fast-check
// commands that drive the real table and the model side by side (test/model-based.test.ts).
import * as assert from 'node:assert/strict';
import * as fc from 'fast-check';
import { Device, RedirectError, RedirectErrorCode, RedirectTable, Verdict } from '../../lib';
import type { TableKind } from '../helpers';

/** An ifindex that names no device in the run's namespace. */
export const BOGUS_IFINDEX = 0x7ffffff0;

/** Frame lengths around the devices' MTUs (576, 1500, 9000). */
export const FRAME_LENGTHS = [60, 576, 577, 1500, 1501, 9000, 9001] as const;

export interface DeviceModel {
  ifindex: number;
  mtu: number;
  up: boolean;
  registered: boolean;
}

export interface EntryModel {
  ifindex: number;
  revision: number;
}

export interface TableModel {
  kind: TableKind;
  maxEntries: number;
  entries: Map<number, EntryModel>;
  /** A revision each key held before its current one (for stale compare-and-* calls). */
  previous: Map<number, number>;
  devices: DeviceModel[];
  /** The largest revision seen so far: every new one must be larger. */
  lastRevision: number;
  closed: boolean;
  /** What table.stats() must report: verdicts counted so far. */
  stats: { redirected: number; misses: number; down: number; tooBig: number };
}

export interface TableReal {
  table: RedirectTable;
  devices: Device[];
  nextFrameId: number;
}

/** Commands executed, over every run (printed once by the test). */
export const counters = { runs: 0, commands: 0, byName: new Map<string, number>(), errors: new Map<string, number>() };

function count(name: string): void {
  counters.commands += 1;
  counters.byName.set(name, (counters.byName.get(name) ?? 0) + 1);
}

/** A device choice: an index into model.devices, or devices.length for a bogus ifindex. */
function ifindexOf(m: TableModel, choice: number): number {
  return choice < m.devices.length ? m.devices[choice].ifindex : BOGUS_IFINDEX;
}

function registered(m: TableModel, choice: number): boolean {
  return choice < m.devices.length && m.devices[choice].registered;
}

function keyInRange(m: TableModel, key: number): boolean {
  return m.kind === 'hash' || key < m.maxEntries;
}

/** Asserts that `fn` throws a RedirectError with `code` (and the matching errno). */
export function expectRedirectError(fn: () => unknown, code: RedirectErrorCode, what: string): void {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  assert.ok(thrown !== undefined, `${what}: expected RedirectError ${code}, but the call succeeded`);
  assert.ok(thrown instanceof RedirectError, `${what}: expected RedirectError ${code}, got ${String(thrown)}`);
  assert.equal(thrown.code, code, `${what}: ${thrown.message}`);
  assert.ok(thrown.errno < 0, `${what}: errno ${thrown.errno}`);
  counters.errors.set(code, (counters.errors.get(code) ?? 0) + 1);
}

/** The error the model predicts for a keyed call on a closed table or an out-of-range key. */
function keyError(m: TableModel, key: number): RedirectErrorCode | undefined {
  if (m.closed) return 'EBADF';
  if (!keyInRange(m, key)) return 'E2BIG';
  return undefined;
}

function recordNewEntry(m: TableModel, key: number, ifindex: number, revision: number, what: string): void {
  assert.ok(Number.isSafeInteger(revision), `${what}: revision ${revision} is not a safe integer`);
  assert.ok(revision > m.lastRevision, `${what}: revision ${revision} not above the last one (${m.lastRevision})`);
  m.lastRevision = revision;
  const old = m.entries.get(key);
  if (old !== undefined) m.previous.set(key, old.revision);
  m.entries.set(key, { ifindex, revision });
}

function sortedModelKeys(m: TableModel): number[] {
  return [...m.entries.keys()].sort((a, b) => a - b);
}

/** Every entry of the real table equals the model's (keys, ifindexes, revisions). */
export function assertSameContents(m: TableModel, r: TableReal, what: string): void {
  const keys = sortedModelKeys(m);
  assert.deepEqual([...r.table.keys()], keys, `${what}: keys()`);
  const snap = r.table.snapshot();
  assert.deepEqual([...snap.keys], keys, `${what}: snapshot().keys`);
  assert.deepEqual([...snap.ifindexes], keys.map((k) => m.entries.get(k)!.ifindex), `${what}: snapshot().ifindexes`);
  assert.deepEqual([...snap.revisions], keys.map((k) => m.entries.get(k)!.revision), `${what}: snapshot().revisions`);
}

type Cmd = fc.AsyncCommand<TableModel, TableReal>;

abstract class SyncCmd implements Cmd {
  abstract readonly name: string;
  check(): boolean {
    return true;
  }
  protected abstract apply(m: TableModel, r: TableReal): void;
  async run(m: TableModel, r: TableReal): Promise<void> {
    count(this.name);
    this.apply(m, r);
  }
  abstract toString(): string;
}

class SetCmd extends SyncCmd {
  readonly name = 'set';
  constructor(readonly key: number, readonly dev: number) {
    super();
  }
  protected apply(m: TableModel, r: TableReal): void {
    const ifindex = ifindexOf(m, this.dev);
    const what = this.toString();
    const err =
      keyError(m, this.key) ??
      (!registered(m, this.dev)
        ? 'ENODEV'
        : m.kind === 'hash' && !m.entries.has(this.key) && m.entries.size >= m.maxEntries
          ? 'E2BIG'
          : undefined);
    if (err !== undefined) {
      expectRedirectError(() => r.table.set(this.key, ifindex), err, what);
      return;
    }
    recordNewEntry(m, this.key, ifindex, r.table.set(this.key, ifindex), what);
  }
  toString(): string {
    return `set(${this.key}, dev${this.dev})`;
  }
}

class GetCmd extends SyncCmd {
  readonly name = 'get';
  constructor(readonly key: number) {
    super();
  }
  protected apply(m: TableModel, r: TableReal): void {
    const err = keyError(m, this.key);
    if (err !== undefined) return expectRedirectError(() => r.table.get(this.key), err, this.toString());
    assert.equal(r.table.get(this.key), m.entries.get(this.key)?.ifindex, this.toString());
  }
  toString(): string {
    return `get(${this.key})`;
  }
}

class DeleteCmd extends SyncCmd {
  readonly name = 'delete';
  constructor(readonly key: number) {
    super();
  }
  protected apply(m: TableModel, r: TableReal): void {
    const err = keyError(m, this.key);
    if (err !== undefined) return expectRedirectError(() => r.table.delete(this.key), err, this.toString());
    assert.equal(r.table.delete(this.key), m.entries.has(this.key), this.toString());
    const old = m.entries.get(this.key);
    if (old !== undefined) m.previous.set(this.key, old.revision);
    m.entries.delete(this.key);
  }
  toString(): string {
    return `delete(${this.key})`;
  }
}

class EntryCmd extends SyncCmd {
  readonly name = 'entry';
  constructor(readonly key: number) {
    super();
  }
  protected apply(m: TableModel, r: TableReal): void {
    const err = keyError(m, this.key);
    if (err !== undefined) return expectRedirectError(() => r.table.entry(this.key), err, this.toString());
    const entry = r.table.entry(this.key);
    const expected = m.entries.get(this.key);
    if (expected === undefined) return assert.equal(entry, undefined, this.toString());
    assert.ok(entry !== undefined, `${this} returned undefined`);
    assert.deepEqual({ ifindex: entry.ifindex, revision: entry.revision }, expected, this.toString());
    assert.ok(typeof entry.lastUsed === 'number' && entry.lastUsed > 0, `${this}: lastUsed ${entry.lastUsed}`);
  }
  toString(): string {
    return `entry(${this.key})`;
  }
}

export type RevisionMode = 'current' | 'stale' | 'wrong';

/** The revision a conditional call passes, and whether the model says it matches. */
function revisionFor(m: TableModel, key: number, mode: RevisionMode): { revision: number; matches: boolean } {
  const current = m.entries.get(key)?.revision;
  if (mode === 'current' && current !== undefined) return { revision: current, matches: true };
  if (mode === 'stale') {
    const previous = m.previous.get(key);
    if (previous !== undefined && previous !== current) return { revision: previous, matches: false };
    return { revision: Math.max(0, (current ?? m.lastRevision) - 1), matches: false };
  }
  return { revision: m.lastRevision + 1_000_003, matches: false };
}

class CompareAndDeleteCmd extends SyncCmd {
  readonly name = 'compareAndDelete';
  constructor(readonly key: number, readonly mode: RevisionMode) {
    super();
  }
  protected apply(m: TableModel, r: TableReal): void {
    const { revision, matches } = revisionFor(m, this.key, this.mode);
    const what = `${this} rev ${revision}`;
    const err = keyError(m, this.key) ?? (!m.entries.has(this.key) ? 'ENOENT' : !matches ? 'EBUSY' : undefined);
    if (err !== undefined) return expectRedirectError(() => r.table.compareAndDelete(this.key, revision), err, what);
    assert.equal(r.table.compareAndDelete(this.key, revision), true, what);
    m.previous.set(this.key, revision);
    m.entries.delete(this.key);
  }
  toString(): string {
    return `compareAndDelete(${this.key}, ${this.mode})`;
  }
}

class CompareAndSetCmd extends SyncCmd {
  readonly name = 'compareAndSet';
  constructor(readonly key: number, readonly dev: number, readonly mode: RevisionMode) {
    super();
  }
  protected apply(m: TableModel, r: TableReal): void {
    const { revision, matches } = revisionFor(m, this.key, this.mode);
    const ifindex = ifindexOf(m, this.dev);
    const what = `${this} rev ${revision}`;
    // The device is resolved before the slot is compared (ENODEV wins over ENOENT / EBUSY).
    const err =
      keyError(m, this.key) ??
      (!registered(m, this.dev) ? 'ENODEV' : !m.entries.has(this.key) ? 'ENOENT' : !matches ? 'EBUSY' : undefined);
    if (err !== undefined) {
      expectRedirectError(() => r.table.compareAndSet(this.key, ifindex, revision), err, what);
      if (err !== 'EBADF' && err !== 'E2BIG') {
        assert.equal(r.table.get(this.key), m.entries.get(this.key)?.ifindex, `${what}: never adds a key`);
      }
      return;
    }
    recordNewEntry(m, this.key, ifindex, r.table.compareAndSet(this.key, ifindex, revision), what);
  }
  toString(): string {
    return `compareAndSet(${this.key}, dev${this.dev}, ${this.mode})`;
  }
}

class GetBatchCmd extends SyncCmd {
  readonly name = 'getBatch';
  constructor(readonly keys: number[], readonly spare: number) {
    super();
  }
  protected apply(m: TableModel, r: TableReal): void {
    const keys = Uint32Array.from(this.keys);
    const out = new Int32Array(keys.length + this.spare).fill(-12345);
    if (m.closed) return expectRedirectError(() => r.table.getBatch(keys, out), 'EBADF', this.toString());
    const expected = this.keys.map((k) => (keyInRange(m, k) ? m.entries.get(k)?.ifindex ?? 0 : 0));
    const hits = r.table.getBatch(keys, out);
    assert.deepEqual([...out], [...expected, ...new Array<number>(this.spare).fill(-12345)], this.toString());
    assert.equal(hits, expected.filter((x) => x !== 0).length, `${this}: hits`);
  }
  toString(): string {
    return `getBatch([${this.keys}])`;
  }
}

class SetBatchCmd extends SyncCmd {
  readonly name = 'setBatch';
  constructor(readonly pairs: Array<[number, number]>, readonly unsigned: boolean) {
    super();
  }
  protected apply(m: TableModel, r: TableReal): void {
    const keys = Uint32Array.from(this.pairs, ([k]) => k);
    const ifindexList = this.pairs.map(([, d]) => ifindexOf(m, d));
    const ifindexes = this.unsigned ? Uint32Array.from(ifindexList) : Int32Array.from(ifindexList);
    const what = this.toString();
    let err: RedirectErrorCode | undefined;
    if (m.closed) err = 'EBADF';
    else if (this.pairs.some(([k]) => !keyInRange(m, k))) err = 'E2BIG';
    else if (m.kind === 'hash' && m.entries.size + new Set(this.pairs.map(([k]) => k).filter((k) => !m.entries.has(k))).size > m.maxEntries) {
      err = 'E2BIG'; // capacity is checked before the devices
    } else if (this.pairs.some(([, d]) => !registered(m, d))) err = 'ENODEV';
    if (err !== undefined) {
      expectRedirectError(() => r.table.setBatch(keys, ifindexes), err, what);
      if (!m.closed) assertSameContents(m, r, `${what}: all or nothing`);
      return;
    }
    assert.equal(r.table.setBatch(keys, ifindexes), this.pairs.length, what);
    const before = m.lastRevision;
    let highest = before;
    for (const [key, dev] of this.pairs) {
      const entry = r.table.entry(key);
      assert.ok(entry !== undefined, `${what}: key ${key} missing`);
      assert.ok(entry.revision > before, `${what}: revision of ${key} not above ${before}`);
      highest = Math.max(highest, entry.revision);
      const old = m.entries.get(key);
      if (old !== undefined && old.revision <= before) m.previous.set(key, old.revision);
      m.entries.set(key, { ifindex: ifindexOf(m, dev), revision: entry.revision });
    }
    m.lastRevision = highest;
  }
  toString(): string {
    return `setBatch(${this.pairs.map(([k, d]) => `${k}:dev${d}`).join(',')}${this.unsigned ? ' u32' : ''})`;
  }
}

class DeleteBatchCmd extends SyncCmd {
  readonly name = 'deleteBatch';
  constructor(readonly keys: number[]) {
    super();
  }
  protected apply(m: TableModel, r: TableReal): void {
    const keys = Uint32Array.from(this.keys);
    const err = m.closed ? 'EBADF' : this.keys.some((k) => !keyInRange(m, k)) ? 'E2BIG' : undefined;
    if (err !== undefined) {
      expectRedirectError(() => r.table.deleteBatch(keys), err, this.toString());
      if (!m.closed) assertSameContents(m, r, `${this}: nothing deleted`);
      return;
    }
    let removed = 0;
    for (const key of this.keys) {
      const old = m.entries.get(key);
      if (old === undefined) continue;
      m.previous.set(key, old.revision);
      m.entries.delete(key);
      removed += 1;
    }
    assert.equal(r.table.deleteBatch(keys), removed, this.toString());
  }
  toString(): string {
    return `deleteBatch([${this.keys}])`;
  }
}

class KeysCmd extends SyncCmd {
  readonly name = 'keys';
  protected apply(m: TableModel, r: TableReal): void {
    if (m.closed) return expectRedirectError(() => r.table.keys(), 'EBADF', 'keys()');
    const keys = r.table.keys();
    assert.ok(keys instanceof Uint32Array);
    assert.deepEqual([...keys], sortedModelKeys(m), 'keys()');
  }
  toString(): string {
    return 'keys()';
  }
}

class SnapshotCmd extends SyncCmd {
  readonly name = 'snapshot';
  protected apply(m: TableModel, r: TableReal): void {
    if (m.closed) return expectRedirectError(() => r.table.snapshot(), 'EBADF', 'snapshot()');
    assertSameContents(m, r, 'snapshot()');
    const snap = r.table.snapshot();
    assert.equal(snap.lastUsed.length, snap.keys.length);
  }
  toString(): string {
    return 'snapshot()';
  }
}

class RedirectCmd extends SyncCmd {
  readonly name = 'redirect';
  constructor(readonly frames: Array<[key: number, length: number]>, readonly spare: number) {
    super();
  }
  protected apply(m: TableModel, r: TableReal): void {
    const n = this.frames.length;
    const keys = Uint32Array.from(this.frames, ([k]) => k);
    const ids = Uint32Array.from(this.frames, (_, i) => r.nextFrameId + i);
    r.nextFrameId += n;
    const lengths = Uint32Array.from(this.frames, ([, l]) => l);
    const verdicts = new Int32Array(n + this.spare).fill(12345);
    if (m.closed) return expectRedirectError(() => r.table.redirect(keys, ids, lengths, verdicts), 'EBADF', this.toString());
    const expected: number[] = [];
    const perDevice = m.devices.map(() => [] as number[]);
    this.frames.forEach(([key, length], i) => {
      const entry = keyInRange(m, key) ? m.entries.get(key) : undefined;
      const d = entry === undefined ? -1 : m.devices.findIndex((dev) => dev.ifindex === entry.ifindex);
      assert.ok(entry === undefined || (d >= 0 && m.devices[d].registered), 'model: entries point at registered devices');
      let verdict: number = Verdict.OK;
      if (entry === undefined) verdict = Verdict.ENOENT;
      else if (!m.devices[d].up) verdict = Verdict.ENETDOWN;
      else if (length > m.devices[d].mtu) verdict = Verdict.EMSGSIZE;
      else perDevice[d].push(ids[i]);
      expected.push(verdict);
    });
    const accepted = r.table.redirect(keys, ids, lengths, verdicts);
    assert.deepEqual([...verdicts], [...expected, ...new Array<number>(this.spare).fill(12345)], `${this}: verdicts`);
    assert.equal(accepted, expected.filter((v) => v === 0).length, `${this}: accepted`);
    for (const v of expected) {
      if (v === Verdict.OK) m.stats.redirected += 1;
      else if (v === Verdict.ENOENT) m.stats.misses += 1;
      else if (v === Verdict.ENETDOWN) m.stats.down += 1;
      else m.stats.tooBig += 1;
    }
    const { redirected, misses, down, tooBig } = r.table.stats();
    assert.deepEqual({ redirected, misses, down, tooBig }, m.stats, `${this}: stats()`);
    // Each device's ring got exactly its accepted frames, in order (drained so none pile up).
    r.devices.forEach((dev, d) => {
      const got = new Uint32Array(64);
      const gotLengths = new Uint32Array(64);
      const received = dev.receive(got, gotLengths);
      assert.deepEqual([...got.subarray(0, received)], perDevice[d], `${this}: ring of dev${d}`);
      for (let i = 0; i < received; i += 1) {
        assert.equal(gotLengths[i], lengths[ids.indexOf(got[i])], `${this}: length of frame ${got[i]}`);
      }
      assert.equal(dev.stats().drops, 0);
    });
  }
  toString(): string {
    return `redirect(${this.frames.map(([k, l]) => `${k}/${l}`).join(',')})`;
  }
}

class UpDownCmd extends SyncCmd {
  readonly name: string;
  constructor(readonly dev: number, readonly up: boolean) {
    super();
    this.name = up ? 'up' : 'down';
  }
  protected apply(m: TableModel, r: TableReal): void {
    const model = m.devices[this.dev];
    const real = r.devices[this.dev];
    if (!model.registered) {
      expectRedirectError(() => (this.up ? real.up() : real.down()), 'ENODEV', this.toString());
    } else {
      if (this.up) real.up();
      else real.down();
      model.up = this.up;
    }
    if (model.registered) assert.equal(real.isUp, model.up, `${this}: isUp`);
  }
  toString(): string {
    return `dev${this.dev}.${this.up ? 'up' : 'down'}()`;
  }
}

class UnregisterCmd implements Cmd {
  constructor(readonly dev: number) {}
  check(): boolean {
    return true;
  }
  async run(m: TableModel, r: TableReal): Promise<void> {
    count('unregister');
    const model = m.devices[this.dev];
    const real = r.devices[this.dev];
    await real.unregister();
    assert.equal(real.state, 'released', `${this}: state`);
    model.registered = false;
    for (const [key, entry] of [...m.entries]) {
      if (entry.ifindex !== model.ifindex) continue;
      m.previous.set(key, entry.revision);
      m.entries.delete(key);
    }
    if (m.closed) {
      expectRedirectError(() => r.table.set(0, model.ifindex), 'EBADF', `${this}: set on a closed table`);
      return;
    }
    // Purged everywhere, and its ifindex can no longer be set.
    assertSameContents(m, r, `${this}: purge`);
    expectRedirectError(() => r.table.set(0, model.ifindex), 'ENODEV', `${this}: set to it afterwards`);
  }
  toString(): string {
    return `dev${this.dev}.unregister()`;
  }
}

class CloseCmd implements Cmd {
  check(): boolean {
    return true;
  }
  async run(m: TableModel, r: TableReal): Promise<void> {
    count('close');
    assert.equal(await r.table.close(), undefined);
    assert.equal(r.table.closed, true);
    m.closed = true;
  }
  toString(): string {
    return 'close()';
  }
}

/** Every table operation on a closed handle throws EBADF (close itself stays harmless). */
export async function assertAllClosed(r: TableReal): Promise<void> {
  const t = r.table;
  const ifindex = r.devices[0].ifindex;
  const u = (...xs: number[]): Uint32Array => Uint32Array.from(xs);
  const calls: Array<[string, () => unknown]> = [
    ['get', () => t.get(0)],
    ['set', () => t.set(0, ifindex)],
    ['delete', () => t.delete(0)],
    ['entry', () => t.entry(0)],
    ['keys', () => t.keys()],
    ['getBatch', () => t.getBatch(u(0), new Int32Array(1))],
    ['setBatch', () => t.setBatch(u(0), Int32Array.of(ifindex))],
    ['deleteBatch', () => t.deleteBatch(u(0))],
    ['redirect', () => t.redirect(u(0), u(1), u(60))],
    ['redirectOne', () => t.redirectOne(0, 1, 60)],
    ['flush', () => t.flush()],
    ['broadcast', () => t.broadcast(u(1), u(60))],
    ['stats', () => t.stats()],
    ['compareAndDelete', () => t.compareAndDelete(0, 1)],
    ['compareAndSet', () => t.compareAndSet(0, ifindex, 1)],
    ['snapshot', () => t.snapshot()],
    ['compareAndDeleteBatch', () => t.compareAndDeleteBatch(u(0), Float64Array.of(1))],
    ['expire', () => t.expire({ idleMs: 0 })],
  ];
  for (const [name, call] of calls) expectRedirectError(call, 'EBADF', `${name} after close()`);
  assert.equal(t.closed, true);
  assert.equal(await t.close(), undefined);
}

/** The commands for a table of `kind` with `maxEntries` slots and `deviceCount` devices. */
export function tableCommands(
  kind: TableKind,
  maxEntries: number,
  deviceCount: number,
  maxCommands: number
): fc.Arbitrary<Iterable<Cmd>> {
  // Mostly keys in range; for an array table some at or beyond maxEntries, for a hash table
  // more distinct keys than it holds (so it fills up) and a few far-away ones.
  const key: fc.Arbitrary<number> =
    kind === 'array'
      ? fc.oneof(
          { weight: 8, arbitrary: fc.nat(maxEntries - 1) },
          { weight: 1, arbitrary: fc.integer({ min: maxEntries, max: maxEntries + 3 }) },
          { weight: 1, arbitrary: fc.constant(2 ** 32 - 1) }
        )
      : fc.oneof(
          { weight: 9, arbitrary: fc.nat(maxEntries + maxEntries / 2) },
          { weight: 1, arbitrary: fc.constantFrom(2 ** 32 - 1, 1_000_000) }
        );
  // A registered-or-not device, sometimes a bogus ifindex (index deviceCount).
  const dev = fc.oneof({ weight: 6, arbitrary: fc.nat(deviceCount - 1) }, { weight: 1, arbitrary: fc.constant(deviceCount) });
  const realDev = fc.nat(deviceCount - 1);
  const mode = fc.constantFrom<RevisionMode>('current', 'current', 'stale', 'wrong');
  const keyList = fc.array(key, { minLength: 0, maxLength: 6 });
  const length = fc.constantFrom(...FRAME_LENGTHS);
  const w = <T>(weight: number, arbitrary: fc.Arbitrary<T>): fc.WeightedArbitrary<T> => ({ weight, arbitrary });
  const arbs: Array<fc.WeightedArbitrary<Cmd>> = [
    w(16, fc.tuple(key, dev).map(([k, d]) => new SetCmd(k, d))),
    w(6, key.map((k) => new GetCmd(k))),
    w(6, key.map((k) => new DeleteCmd(k))),
    w(6, key.map((k) => new EntryCmd(k))),
    w(8, fc.tuple(key, mode).map(([k, md]) => new CompareAndDeleteCmd(k, md))),
    w(8, fc.tuple(key, dev, mode).map(([k, d, md]) => new CompareAndSetCmd(k, d, md))),
    w(4, fc.tuple(keyList, fc.nat(2)).map(([ks, spare]) => new GetBatchCmd(ks, spare))),
    w(6, fc.tuple(fc.array(fc.tuple(key, dev), { minLength: 1, maxLength: 5 }), fc.boolean()).map(([p, u]) => new SetBatchCmd(p, u))),
    w(4, keyList.map((ks) => new DeleteBatchCmd(ks))),
    w(2, fc.constant(new KeysCmd())),
    w(2, fc.constant(new SnapshotCmd())),
    w(10, fc.tuple(fc.array(fc.tuple(key, length), { minLength: 0, maxLength: 10 }), fc.nat(2)).map(([f, s]) => new RedirectCmd(f, s))),
    w(4, fc.tuple(realDev, fc.boolean()).map(([d, up]) => new UpDownCmd(d, up))),
    w(2, realDev.map((d) => new UnregisterCmd(d))),
    w(1, fc.constant(new CloseCmd())),
  ];
  // One weighted choice per command (fc.commands itself picks its arbitraries uniformly).
  return fc.commands([fc.oneof(...arbs)], { maxCommands, size: 'max' }) as fc.Arbitrary<Iterable<Cmd>>;
}
