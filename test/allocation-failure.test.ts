// Allocation failure never takes the process down: under an address-space limit (ulimit -v),
// tables and device rings too large to allocate throw RedirectError ENOMEM and change nothing,
// and the package stays usable. Each scenario runs in a child process (the limit is per process).
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

// Node itself reserves ~0.7 GiB of address space here; 2 GiB leaves room for it and small
// objects but not for a 2^28-entry hash table (2 GiB of buckets) or more than a few 128 MiB rings.
const LIMIT_KIB = 2 * 1024 * 1024;
const CHILD = path.join(__dirname, 'workers', 'alloc-child.js');

interface Failure {
  what: string;
  code?: string;
  redirectError: boolean;
  message: string;
}

function runChild(scenario: string): Record<string, unknown> & { failures: Failure[] } {
  const child = spawnSync('bash', ['-c', `ulimit -v ${LIMIT_KIB}; exec "$0" "$1" "$2"`, process.execPath, CHILD, scenario], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  const detail = `signal ${child.signal}, status ${child.status}\nstdout: ${child.stdout}\nstderr: ${child.stderr.slice(-2000)}`;
  assert.equal(child.signal, null, `the child was killed: ${detail}`);
  assert.equal(child.status, 0, `the child failed: ${detail}`);
  const lines = child.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]);
}

function assertAllEnomem(failures: Failure[]): void {
  for (const failure of failures) {
    assert.equal(failure.code, 'ENOMEM', `${failure.what}: ${failure.message}`);
    assert.ok(failure.redirectError, `${failure.what} threw something else than a RedirectError`);
  }
}

describe('allocation failure (child process under ulimit -v)', () => {
  it('tables too large for the address space throw ENOMEM and change nothing', () => {
    const result = runChild('tables');
    assertAllEnomem(result.failures);
    const whats = result.failures.map((f) => f.what);
    assert.ok(whats.includes(`hash ${2 ** 28}`), `a 2^28-entry hash table must not fit: ${JSON.stringify(result)}`);
    // Messages print integers ("268435456 entries", never "268435456.000000").
    const hash28 = result.failures.find((f) => f.what === `hash ${2 ** 28}`);
    assert.match(hash28?.message ?? '', /\b268435456 entries\b/);
    for (const failure of result.failures) assert.doesNotMatch(failure.message, /\d\.\d{6}/, failure.message);
    assert.ok(whats.includes(`hash ${2 ** 32 - 1}`));
    assert.ok(whats.includes('array'));
    assert.deepEqual(result.after, result.before, 'a failed creation leaves no table behind');
    assert.equal(result.usable, true);
  });

  it('device rings that do not fit throw ENOMEM; a veth pair is created whole or not at all', () => {
    const result = runChild('rings');
    assertAllEnomem(result.failures);
    const whats = result.failures.map((f) => f.what);
    assert.ok(whats.includes('ring'), 'creating rings until memory runs out ends in ENOMEM');
    assert.ok(whats.includes('veth'), 'no room is left for a pair of 128 MiB rings');
    const created = result.created as number;
    const before = result.before as { devices: number; rootDevices: number };
    const full = result.full as { devices: number; rootDevices: number };
    assert.ok(created >= 1, 'at least one ring fits');
    assert.equal(full.rootDevices, before.rootDevices + created, 'the failed device is not listed');
    assert.equal(full.devices, before.devices + created, 'the failed device was not leaked');
    assert.deepEqual(result.afterPair, result.beforePair, 'the failed pair left neither end');
    assert.equal(result.usable, true);
  });
});
