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

describe('install script (scripts/install.js)', () => {
  const platform = `${process.platform}-${process.arch}`;
  const builtAddon = path.join(root, 'build', 'Release', 'redirect_table.node');
  // node-gyp compiles in parallel: one job per CPU, at most four.
  const parallelRebuild = /^rebuild --jobs [1-4] in <pkg>$/;

  // A copy of the package's install scripts; `prebuilt` is what prebuilds/<platform> holds. A
  // fake node-gyp (npm hands install scripts its own as npm_config_node_gyp) records its
  // arguments and exits with `gypStatus`.
  function install(options: {
    prebuilt?: 'loads' | 'broken';
    checkout?: boolean;
    env?: Record<string, string>;
    noLiburcu?: boolean;
    gypStatus?: number;
  }): { status: number | null; stdout: string; stderr: string; nodeGyp: string | undefined } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-install-'));
    try {
      fs.mkdirSync(path.join(dir, 'scripts'));
      for (const name of ['install.js', 'check-deps.js']) fs.copyFileSync(path.join(root, 'scripts', name), path.join(dir, 'scripts', name));
      if (options.prebuilt) {
        const target = path.join(dir, 'prebuilds', platform);
        fs.mkdirSync(target, { recursive: true });
        if (options.prebuilt === 'loads') fs.copyFileSync(builtAddon, path.join(target, 'redirect_table.node'));
        else fs.writeFileSync(path.join(target, 'redirect_table.node'), 'not an ELF file');
      }
      if (options.checkout) fs.mkdirSync(path.join(dir, '.git'));
      const record = path.join(dir, 'node-gyp-called');
      const fakeGyp = path.join(dir, 'fake-node-gyp.js');
      fs.writeFileSync(
        fakeGyp,
        `require('fs').writeFileSync(${JSON.stringify(record)}, process.argv.slice(2).join(' ') + ' in ' + process.cwd());\n` +
          `process.exit(${options.gypStatus ?? 0});\n`
      );
      let PATH = process.env.PATH ?? '';
      if (options.noLiburcu) {
        fs.mkdirSync(path.join(dir, 'bin'));
        fs.writeFileSync(path.join(dir, 'bin', 'pkg-config'), '#!/bin/sh\nexit 1\n', { mode: 0o755 });
        PATH = `${path.join(dir, 'bin')}${path.delimiter}${PATH}`;
      }
      const env: Record<string, string | undefined> = { ...process.env, PATH, npm_config_node_gyp: fakeGyp };
      delete env.npm_config_build_from_source;
      delete env.REDIRECT_TABLE_BUILD_FROM_SOURCE;
      delete env.JOBS;
      delete env.npm_config_jobs;
      Object.assign(env, options.env);
      const run = spawnSync(process.execPath, [path.join(dir, 'scripts', 'install.js')], { encoding: 'utf8', env });
      const nodeGyp = fs.existsSync(record) ? fs.readFileSync(record, 'utf8').replace(fs.realpathSync(dir), '<pkg>') : undefined;
      return { status: run.status, stdout: run.stdout, stderr: run.stderr, nodeGyp };
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  it('keeps a prebuilt binary that loads here, and compiles nothing', () => {
    const run = install({ prebuilt: 'loads' });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, new RegExp(`using the prebuilt binary for ${platform}`));
    assert.equal(run.nodeGyp, undefined);
  });

  it('builds from source, saying why, when the prebuilt binary does not load here', () => {
    const run = install({ prebuilt: 'broken' });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /building the addon from source: the prebuilt binary does not load here \(.*\)/);
    assert.match(run.nodeGyp ?? '', parallelRebuild);
  });

  it('builds from source when the package has no prebuilt binary for this platform', () => {
    const run = install({});
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, new RegExp(`no prebuilt binary for ${platform}`));
    assert.match(run.nodeGyp ?? '', parallelRebuild);
  });

  for (const [name, env] of [
    ['npm install --build-from-source', { npm_config_build_from_source: 'true' }],
    ['REDIRECT_TABLE_BUILD_FROM_SOURCE=1', { REDIRECT_TABLE_BUILD_FROM_SOURCE: '1' }],
  ] as const) {
    it(`builds from source when asked (${name}), even with a prebuilt binary that loads`, () => {
      const run = install({ prebuilt: 'loads', env });
      assert.equal(run.status, 0, run.stderr);
      assert.match(run.stdout, /building the addon from source: requested/);
      assert.match(run.nodeGyp ?? '', parallelRebuild);
    });
  }

  it('in a checkout (a .git beside package.json) always builds what it holds', () => {
    const run = install({ prebuilt: 'loads', checkout: true });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /a checkout builds what it holds/);
    assert.match(run.nodeGyp ?? '', parallelRebuild);
  });

  it('stops with the one-line liburcu message, before compiling, when a build is needed and liburcu is missing', () => {
    const run = install({ noLiburcu: true });
    assert.equal(run.status, 1);
    assert.equal(run.nodeGyp, undefined);
    const lines = run.stderr.trim().split('\n');
    assert.equal(lines.length, 1, run.stderr);
    assert.match(lines[0], /liburcu-dev.*npm run setup/);
  });

  it('needs no liburcu when the prebuilt binary loads', () => {
    const run = install({ prebuilt: 'loads', noLiburcu: true });
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.nodeGyp, undefined);
  });

  it("fails with node-gyp's exit status when the build fails", () => {
    const run = install({ gypStatus: 3 });
    assert.equal(run.status, 3);
    assert.match(run.nodeGyp ?? '', parallelRebuild);
  });

  it('leaves the number of compile jobs to JOBS or npm --jobs when the user sets one', () => {
    for (const env of [{ JOBS: '7' }, { npm_config_jobs: '7' }] as Record<string, string>[]) {
      const run = install({ checkout: true, env });
      assert.equal(run.status, 0, run.stderr);
      assert.equal(run.nodeGyp, 'rebuild in <pkg>');
    }
  });
});
