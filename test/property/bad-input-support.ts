// Support for test/bad-input.test.ts: generators of wrong inputs, validity predicates that
// mirror the library's argument checks in their order, and the probe that runs one call and
// checks its outcome and that a refused call changed nothing.
import * as assert from 'node:assert/strict';
import { inspect, types } from 'node:util';
import * as fc from 'fast-check';
import { Device, Namespace, RedirectError, RedirectTable } from '../../lib';
import { DEFAULT_MTU } from '../../lib/constants';

// ---------------------------------------------------------------------------------------------
// Predicted outcomes

export type ErrorClass = 'TypeError' | 'RangeError' | 'RedirectError';
export type Outcome = { ok: true } | { ok: false; cls: ErrorClass; code: string };

class Refusal {
  constructor(readonly outcome: Outcome) {}
}

/** Ends a prediction: the call must throw `cls` with `code`. */
export function refuse(cls: ErrorClass, code: string): never {
  throw new Refusal({ ok: false, cls, code });
}

/** Runs a prediction (validators in the library's order); no refusal means success. */
export function predict(steps: () => void): Outcome {
  try {
    steps();
    return { ok: true };
  } catch (error) {
    if (error instanceof Refusal) return error.outcome;
    throw error;
  }
}

export const typeError = (): never => refuse('TypeError', 'ERR_INVALID_ARG_TYPE');
export const rangeError = (): never => refuse('RangeError', 'ERR_OUT_OF_RANGE');
export const invalidValue = (): never => refuse('RangeError', 'ERR_INVALID_ARG_VALUE');
export const redirectError = (code: string): never => refuse('RedirectError', code);

/** A number that is an integer in [min, max] (the addon's to_integer / to_u32 / to_ifindex). */
export function vInteger(value: unknown, min: number, max: number): number {
  if (typeof value !== 'number') typeError();
  const n = value as number;
  if (!(n >= min && n <= max) || !Number.isInteger(n)) rangeError();
  return n;
}
export const U32_MAX = 2 ** 32 - 1;
export const vU32 = (value: unknown): number => vInteger(value, 0, U32_MAX);
export const vIfindex = (value: unknown): number => vInteger(value, 0, 2 ** 31 - 1);
export const vRevision = (value: unknown): number => vInteger(value, 0, Number.MAX_SAFE_INTEGER);

export function vBool(value: unknown): boolean {
  if (typeof value !== 'boolean') typeError();
  return value as boolean;
}

/** A string argument as the addon takes it: well-formed Unicode of at most 1024 UTF-16 units. */
export function vString(value: unknown): string {
  if (typeof value !== 'string') typeError();
  const text = value as string;
  if (text.length > 1024 || /\p{Cs}/u.test(text)) redirectError('EINVAL');
  return text;
}

export function vObject(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null) typeError();
  return value as Record<string, unknown>;
}

export function vNamespace(value: unknown): Namespace {
  if (!(value instanceof Namespace)) typeError();
  return value as Namespace;
}

/** What a name reads back as: the same string (names with a lone surrogate are refused). */
export function normalizeName(name: string): string {
  return name;
}

export function isDetached(view: ArrayBufferView): boolean {
  const buffer = view.buffer;
  if (!(buffer instanceof ArrayBuffer)) return false;
  try {
    new Uint8Array(buffer);
    return false;
  } catch {
    return true;
  }
}

type ArrayKind = 'Uint32Array' | 'Int32Array' | 'Float64Array' | 'Int32OrUint32';

/** A typed array of the accepted type, not over a detached buffer (the addon's to_typed_array). */
export function vTyped<T extends ArrayBufferView & { length: number }>(value: unknown, kind: ArrayKind): T {
  const ok =
    kind === 'Uint32Array'
      ? types.isUint32Array(value)
      : kind === 'Int32Array'
        ? types.isInt32Array(value)
        : kind === 'Float64Array'
          ? types.isFloat64Array(value)
          : types.isInt32Array(value) || types.isUint32Array(value);
  if (!ok) typeError();
  const view = value as T;
  if (view.length === 0 && isDetached(view)) typeError();
  return view;
}

/** Device names: 1-15 bytes, not '.' or '..', no '/', ':', NUL or whitespace (9-13, 32). */
export function validDeviceName(name: string): boolean {
  const bytes = Buffer.byteLength(name, 'utf8');
  return bytes >= 1 && bytes <= 15 && name !== '.' && name !== '..' && !/[/:\0 \t\n\v\f\r]/.test(name);
}

/** Namespace names: 1-64 bytes, no '/' or NUL. */
export function validNamespaceName(name: string): boolean {
  const bytes = Buffer.byteLength(name, 'utf8');
  return bytes >= 1 && bytes <= 64 && !/[/\0]/.test(name);
}

/** The device options as the library reads them (configOf + the addon's read_config). */
export function vConfig(options: Record<string, unknown>): void {
  const { mtu = DEFAULT_MTU, up = true, ringSize = 4096, netnsLocal = false } = options;
  vInteger(mtu, 68, 65535);
  vBool(up);
  const size = vInteger(ringSize, 1, 2 ** 24);
  vBool(netnsLocal);
  if ((size & (size - 1)) !== 0) invalidValue();
}

/** Whether `ifindex` names a registered device of `ns` (as a table's set resolves it). */
export function registeredIn(ns: Namespace, ifindex: number): boolean {
  return ifindex > 0 && ns.state !== 'destroyed' && ns.device(ifindex) !== undefined;
}

/** A short rendering of any value for messages (String() throws for symbols and some objects). */
export function show(value: unknown): string {
  if (value instanceof RedirectTable) return `${value.constructor.name}#${value.id}${value.closed ? '(closed)' : ''}`;
  try {
    return inspect(value, { depth: 1, breakLength: Infinity, maxArrayLength: 8, maxStringLength: 40 });
  } catch {
    return Object.prototype.toString.call(value);
  }
}

// ---------------------------------------------------------------------------------------------
// Wrong inputs

const SPECIAL_NUMBERS = [
  NaN, Infinity, -Infinity, -1, -0, 0, 1, 1.5, 0.5, -1.5, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1, 2 ** 53,
  1e300, -1e300, Number.MIN_VALUE, Number.EPSILON, 3, 7, 8, 16, 67, 68, 65535, 65536, 2 ** 25,
];

function detachedView(make: (buffer: ArrayBuffer) => ArrayBufferView): ArrayBufferView {
  const buffer = new ArrayBuffer(16);
  const view = make(buffer);
  structuredClone(buffer, { transfer: [buffer] });
  return view;
}

const TYPED_CTORS = {
  Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array, Float32Array, Float64Array,
  BigInt64Array, BigUint64Array,
} as const;
type TypedName = keyof typeof TYPED_CTORS;
const TYPED_NAMES = Object.keys(TYPED_CTORS) as TypedName[];

/** A fresh typed array (or view) of any type: plain, over a shared buffer, an offset view. */
export const anyTypedArray: fc.Arbitrary<ArrayBufferView> = fc
  .tuple(fc.constantFrom(...TYPED_NAMES), fc.nat(6), fc.constantFrom('plain', 'shared', 'offset', 'detached'))
  .map(([name, length, how]) => {
    const Ctor = TYPED_CTORS[name] as unknown as new (buffer: ArrayBufferLike, offset?: number, length?: number) => ArrayBufferView;
    const bytes = (TYPED_CTORS[name] as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT;
    if (how === 'detached') return detachedView((buffer) => new Ctor(buffer));
    if (how === 'shared') return new Ctor(new SharedArrayBuffer(length * bytes));
    if (how === 'offset') return new Ctor(new ArrayBuffer((length + 1) * bytes), bytes, length);
    return new Ctor(new ArrayBuffer(length * bytes));
  });

/** Other array-likes that are not typed arrays: DataView, Buffer, ArrayBuffer, plain arrays. */
const notTypedArrays = fc.constantFrom<() => unknown>(
  () => new DataView(new ArrayBuffer(8)),
  () => Buffer.alloc(8),
  () => new ArrayBuffer(8),
  () => new SharedArrayBuffer(8),
  () => [1, 2, 3],
  () => ({ length: 2, 0: 1, 1: 2 }),
  () => detachedView((buffer) => new DataView(buffer)),
).map((make) => make());

/** Every kind of wrong value (and some right ones: predicates decide). */
export const junk: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.anything({ withBigInt: true, withBoxedValues: true, withDate: true, withMap: true, withSet: true, withNullPrototype: true, withTypedArray: true, withSparseArray: true, maxDepth: 2 }) },
  { weight: 4, arbitrary: fc.constantFrom(...SPECIAL_NUMBERS) },
  { weight: 1, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.string({ maxLength: 8 }) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(null, undefined, true, false, '', '1', '0x10', [], {}, Object(5), Object('x'), 1n, -1n, 2n ** 64n) },
  { weight: 1, arbitrary: fc.constantFrom<() => unknown>(() => Symbol('s'), () => Symbol.iterator, () => () => 1, () => class {}, () => new Error('x'), () => new Date(NaN), () => Promise.resolve()).map((make) => make()) },
  { weight: 2, arbitrary: anyTypedArray },
  { weight: 1, arbitrary: notTypedArrays },
);

/** Junk without valid huge integers (they would allocate gigabytes when they happen to be valid). */
export const junkNoHuge = junk.filter((v) => !(typeof v === 'number' && Number.isInteger(v) && v > 4096 && v <= U32_MAX));

/** Either a valid-ish value or junk. */
export const orJunk = <T>(valid: fc.Arbitrary<T>, junkWeight = 1, validWeight = 1): fc.Arbitrary<unknown> =>
  fc.oneof({ weight: validWeight, arbitrary: valid as fc.Arbitrary<unknown> }, { weight: junkWeight, arbitrary: junk });

/** A Uint32Array (fresh) of small keys, sometimes with keys beyond 8/16 slots or u32 max. */
export const u32Array = (maxLength = 6): fc.Arbitrary<Uint32Array> =>
  fc.array(fc.oneof(fc.nat(10), fc.constantFrom(16, 100, U32_MAX)), { maxLength }).map((a) => Uint32Array.from(a));
export const i32Array = (maxLength = 6): fc.Arbitrary<Int32Array> =>
  fc.array(fc.integer({ min: -3, max: 10 }), { maxLength }).map((a) => Int32Array.from(a));
export const f64Array = (maxLength = 6): fc.Arbitrary<Float64Array> =>
  fc.array(fc.oneof(fc.nat(1000), fc.double()), { maxLength }).map((a) => Float64Array.from(a));

/** Names: plausible ones (valid or not), unicode, long, with forbidden characters. */
export const nameArb: fc.Arbitrary<string> = fc.oneof(
  fc.string({ minLength: 1, maxLength: 12 }).map((s) => `f${s}`),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.string({ unit: 'grapheme', maxLength: 70 }),
  fc.constantFrom('', '.', '..', 'a/b', 'a:b', 'a b', 'tab\t', 'nl\n', 'nul\0x', 'x'.repeat(15), 'x'.repeat(16), 'é'.repeat(7), 'é'.repeat(8), '\uD800', 'root', 'n'.repeat(64), 'n'.repeat(65)),
);

// ---------------------------------------------------------------------------------------------
// The observable state, and the probe

export interface World {
  ns: Namespace;
  dead: Namespace;
  devices: Device[];
  tables: RedirectTable[];
  closedTables: RedirectTable[];
}

function describeDevice(d: Device): unknown[] {
  // usageCount is left out: entries deleted earlier are released asynchronously after grace periods.
  return [d.ifindex, d.name, d.kind, d.mtu, d.isUp, d.state, d.namespace.id];
}

/** Everything a refused call must leave as it was. */
export function observe(w: World): unknown {
  const list = (ns: Namespace): unknown[] => ns.devices().map(describeDevice);
  return {
    namespaces: Namespace.list().map((n) => [n.id, n.name, n.state]),
    root: list(Namespace.root),
    ns: [w.ns.state, list(w.ns)],
    dead: [w.dead.state, list(w.dead)],
    devices: w.devices.map((d) => [...describeDevice(d), d.stats()]),
    tables: w.tables.map((t) => {
      const s = t.snapshot();
      return { closed: t.closed, keys: [...s.keys], ifindexes: [...s.ifindexes], revisions: [...s.revisions], stats: t.stats() };
    }),
    closed: w.closedTables.map((t) => t.closed),
  };
}

export const fuzzCounts = { cases: 0, ok: 0, refused: 0, byClass: new Map<string, number>() };

function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.constructor.name}(${String((error as { code?: unknown }).code)}): ${error.message}`;
  return `non-Error ${show(error)}`;
}

function copyView(view: unknown): unknown {
  if (!ArrayBuffer.isView(view) || isDetached(view)) return undefined;
  return [...new Uint8Array(view.buffer, view.byteOffset, view.byteLength)];
}

export interface ProbeOptions<R> {
  /** Arrays the call may write into: unchanged when it is refused. */
  outputs?: unknown[];
  /** Checks (and registers for cleanup) a successful result. */
  onSuccess?: (result: R) => void;
}

/**
 * Runs `call` once: it must do what `expected` says — succeed, or throw exactly that class with
 * that code (a RedirectError also a negative errno) — and a refused call must leave the
 * observable state (and any output arrays) unchanged.
 */
export function probe<R>(w: World, label: string, expected: Outcome, call: () => R, options: ProbeOptions<R> = {}): void {
  fuzzCounts.cases += 1;
  const before = expected.ok ? undefined : observe(w);
  const outputsBefore = (options.outputs ?? []).map(copyView);
  let result: R | undefined;
  let error: unknown;
  let threw = false;
  try {
    result = call();
  } catch (e) {
    threw = true;
    error = e;
  }
  if (expected.ok) {
    if (threw) assert.fail(`${label}: expected success, threw ${describeError(error)}`);
    fuzzCounts.ok += 1;
    options.onSuccess?.(result as R);
    return;
  }
  if (!threw) {
    options.onSuccess?.(result as R); // clean up what it created anyway
    assert.fail(`${label}: expected ${expected.cls} ${expected.code}, but it succeeded (returned ${show(result)})`);
  }
  fuzzCounts.refused += 1;
  fuzzCounts.byClass.set(`${expected.cls} ${expected.code}`, (fuzzCounts.byClass.get(`${expected.cls} ${expected.code}`) ?? 0) + 1);
  const ok =
    expected.cls === 'RedirectError'
      ? error instanceof RedirectError && typeof error.errno === 'number' && error.errno < 0
      : error instanceof (expected.cls === 'TypeError' ? TypeError : RangeError) && !(error instanceof RedirectError);
  assert.ok(ok, `${label}: expected ${expected.cls} ${expected.code}, threw ${describeError(error)}`);
  const code = (error as { code?: unknown }).code;
  assert.ok(typeof code === 'string' && code.length > 0, `${label}: error without a code: ${describeError(error)}`);
  assert.equal(code, expected.code, `${label}: ${describeError(error)}`);
  assert.deepEqual(observe(w), before, `${label}: the refused call changed the state`);
  assert.deepEqual((options.outputs ?? []).map(copyView), outputsBefore, `${label}: the refused call wrote into an output array`);
}
