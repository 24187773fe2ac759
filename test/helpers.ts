import * as fs from 'node:fs';
import * as path from 'node:path';
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

/** Process warnings named `name` emitted while `fn` runs, collected instead of printed: the
 * other 'warning' listeners (Node's own printer among them) are detached meanwhile. */
export async function captureWarnings<T>(name: string, fn: (warnings: string[]) => Promise<T>): Promise<T> {
  const others = process.listeners('warning');
  const warnings: string[] = [];
  const collect = (warning: Error): void => {
    if (warning.name === name) warnings.push(warning.message);
  };
  for (const listener of others) process.off('warning', listener);
  process.on('warning', collect);
  try {
    return await fn(warnings);
  } finally {
    process.off('warning', collect);
    for (const listener of others) process.on('warning', listener);
  }
}

/** What a suite measured about itself (fuzz case counts, histories checked): kept out of the
 * test run's output, which holds only the reporter's lines. Appended to build/test-notes.txt;
 * printed as well with REDIRECT_TABLE_TEST_VERBOSE=1. */
export function testNote(text: string): void {
  const file = path.join(__dirname, '..', '..', 'build', 'test-notes.txt');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.appendFileSync(file, `${new Date().toISOString()} ${text}\n`);
  if (process.env.REDIRECT_TABLE_TEST_VERBOSE === '1') process.stdout.write(`      ${text}\n`);
}
