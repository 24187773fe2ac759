import * as assert from 'node:assert/strict';
import { Device, DeviceOptions, Namespace, RedirectError, RedirectErrorCode, RedirectHashTable, RedirectTable } from '../lib';

let counter = 0;

/** A device name unique in this process (namespaces are process-wide). */
export function uniqueName(prefix = 't'): string {
  counter += 1;
  return `${prefix}${process.pid % 1000}-${counter}`.slice(0, 15);
}

export function createDevice(options?: DeviceOptions): Device {
  return Namespace.root.createDevice(uniqueName(), options);
}

export function assertRedirectError(fn: () => unknown, code: RedirectErrorCode, message?: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof RedirectError, `expected RedirectError, got ${String(error)}`);
    assert.equal(error.code, code);
    if (message) assert.match(error.message, message);
    return true;
  });
}

export function assertTypeError(fn: () => unknown, code = 'ERR_INVALID_ARG_TYPE'): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof TypeError, `expected TypeError, got ${String(error)}`);
    assert.equal((error as NodeJS.ErrnoException).code, code);
    return true;
  });
}

export function assertRangeError(fn: () => unknown, code = 'ERR_OUT_OF_RANGE'): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof RangeError, `expected RangeError, got ${String(error)}`);
    assert.equal((error as NodeJS.ErrnoException).code, code);
    return true;
  });
}

/** Runs finalizers of unreachable handles (mocha runs with --expose-gc). */
export async function collectGarbage(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  assert.ok(gc, 'tests need --expose-gc');
  for (let i = 0; i < 3; i += 1) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Two fresh devices and a table, made before each test and torn down after it. */
export interface TableFixture {
  a: Device;
  b: Device;
  table: RedirectTable;
}

export type TableKind = 'array' | 'hash';

export function newTable(kind: TableKind, maxEntries: number): RedirectTable {
  return kind === 'hash' ? new RedirectHashTable({ maxEntries }) : new RedirectTable({ maxEntries });
}

export function useTableFixture(maxEntries: number, kind: TableKind = 'array'): TableFixture {
  const fixture = {} as TableFixture;
  beforeEach(() => {
    fixture.a = createDevice();
    fixture.b = createDevice();
    fixture.table = newTable(kind, maxEntries);
  });
  afterEach(async () => {
    await fixture.table.close();
    await Promise.all([fixture.a.unregister(), fixture.b.unregister()]);
  });
  return fixture;
}
