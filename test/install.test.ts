import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const root = path.join(__dirname, '..', '..');

describe('install-time dependency check', () => {
  it('passes when pkg-config finds liburcu', () => {
    const run = spawnSync(process.execPath, [path.join(root, 'scripts', 'check-deps.js')], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
  });

  it('stops with one line naming the package and `npm run setup` when liburcu is missing', () => {
    // pkg-config that knows no package, as on a machine without liburcu.
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-no-urcu-'));
    fs.writeFileSync(path.join(bin, 'pkg-config'), '#!/bin/sh\nexit 1\n', { mode: 0o755 });
    const run = spawnSync(process.execPath, [path.join(root, 'scripts', 'check-deps.js')], {
      encoding: 'utf8',
      env: { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH}` },
    });
    fs.rmSync(bin, { recursive: true, force: true });
    assert.equal(run.status, 1);
    assert.equal(run.stdout, '');
    const lines = run.stderr.trim().split('\n');
    assert.equal(lines.length, 1, run.stderr);
    for (const needle of ['liburcu-dev', 'userspace-rcu-devel', 'userspace-rcu-dev', 'userspace-rcu', 'npm run setup']) {
      assert.ok(lines[0].includes(needle), `${needle} missing from: ${lines[0]}`);
    }
  });

  it('also stops cleanly when pkg-config itself is missing', () => {
    const run = spawnSync(process.execPath, [path.join(root, 'scripts', 'check-deps.js')], {
      encoding: 'utf8',
      env: { ...process.env, PATH: '/nonexistent' }, // node itself is started by absolute path
    });
    assert.equal(run.status, 1);
    assert.match(run.stderr, /npm run setup/);
  });
});
