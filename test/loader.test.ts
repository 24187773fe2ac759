import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const builtAddon = path.join(__dirname, '..', '..', 'build', 'Release', 'redirect_table.node');
const platform = `${process.platform}-${process.arch}`;

// A copy of the compiled library in a directory of its own; `layout` puts files under its root
// (build/Release, prebuilds/<platform>-<arch>). Loading it in a child gives the loader's result.
function loadCopy(layout: (dir: (...parts: string[]) => string) => void): { status: number | null; stdout: string; stderr: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-loader-'));
  try {
    fs.cpSync(path.join(__dirname, '..', 'lib'), path.join(root, 'dist', 'lib'), { recursive: true });
    layout((...parts) => {
      const dir = path.join(root, ...parts);
      fs.mkdirSync(dir, { recursive: true });
      return dir;
    });
    // Which addon file the process mapped says which candidate the loader took.
    const script =
      `require(${JSON.stringify(path.join(root, 'dist', 'lib'))});` +
      "const maps = require('fs').readFileSync('/proc/self/maps', 'utf8');" +
      "console.log(maps.split('\\n').filter((l) => l.includes('redirect_table.node')).map((l) => l.split(/\\s+/).pop())[0]);";
    const child = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    return { status: child.status, stdout: child.stdout.trim().replace(root, '<root>'), stderr: child.stderr };
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

function failedLoad(layout: (dir: (...parts: string[]) => string) => void): string {
  const result = loadCopy(layout);
  assert.notEqual(result.status, 0);
  return result.stderr;
}

function compile(args: string[], cwd: string): void {
  const cc = spawnSync('cc', args, { cwd, encoding: 'utf8' });
  assert.equal(cc.status, 0, cc.stderr);
}

describe('loading the native addon', () => {
  it('loads a build from source (build/Release)', () => {
    const result = loadCopy((dir) => fs.copyFileSync(builtAddon, path.join(dir('build', 'Release'), 'redirect_table.node')));
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout, '<root>/build/Release/redirect_table.node');
  });

  it('loads the prebuilt binary for this platform when nothing was built', () => {
    const result = loadCopy((dir) => fs.copyFileSync(builtAddon, path.join(dir('prebuilds', platform), 'redirect_table.node')));
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout, `<root>/prebuilds/${platform}/redirect_table.node`);
  });

  it('prefers a build from source to the prebuilt binary, and falls back to it when the build does not load', () => {
    const both = loadCopy((dir) => {
      fs.copyFileSync(builtAddon, path.join(dir('build', 'Release'), 'redirect_table.node'));
      fs.copyFileSync(builtAddon, path.join(dir('prebuilds', platform), 'redirect_table.node'));
    });
    assert.equal(both.stdout, '<root>/build/Release/redirect_table.node', both.stderr);
    const broken = loadCopy((dir) => {
      fs.writeFileSync(path.join(dir('build', 'Release'), 'redirect_table.node'), 'not an ELF file');
      fs.copyFileSync(builtAddon, path.join(dir('prebuilds', platform), 'redirect_table.node'));
    });
    assert.equal(broken.stdout, `<root>/prebuilds/${platform}/redirect_table.node`, broken.stderr);
  });

  it('says the addon was never built, and how to build it, when it is missing', () => {
    const stderr = failedLoad(() => {});
    assert.match(stderr, /redirect-table: its native addon was never built/);
    assert.match(stderr, new RegExp(`no prebuilt binary for ${platform}`));
    assert.match(stderr, /npm rebuild redirect-table/);
    assert.match(stderr, /liburcu-dev/);
  });

  it('names the liburcu runtime package when the addon cannot find liburcu', function () {
    if (spawnSync('cc', ['--version']).status !== 0) this.skip(); // a compiler builds the addon anyway
    const stderr = failedLoad((dir) => {
      const release = dir('build', 'Release');
      // An addon linked against a liburcu that is not on this system.
      fs.writeFileSync(path.join(release, 'fake.c'), 'int urcu_fake(void) { return 1; }\n');
      compile(['-shared', '-fPIC', '-Wl,-soname,liburcu-memb.so.99', '-o', 'liburcu-memb.so.99', 'fake.c'], release);
      fs.writeFileSync(path.join(release, 'addon.c'), 'int urcu_fake(void);\nint use(void) { return urcu_fake(); }\n');
      compile(['-shared', '-fPIC', '-o', 'redirect_table.node', 'addon.c', '-L.', '-l:liburcu-memb.so.99'], release);
      fs.rmSync(path.join(release, 'liburcu-memb.so.99'));
    });
    assert.match(stderr, /needs the liburcu runtime libraries/);
    assert.match(stderr, /liburcu8/);
    assert.match(stderr, /liburcu-memb\.so\.99/);
  });

  it('passes on any other load error with the addon path', () => {
    const stderr = failedLoad((dir) => fs.writeFileSync(path.join(dir('build', 'Release'), 'redirect_table.node'), 'not an ELF file'));
    assert.match(stderr, /redirect-table: its native addon .*build\/Release\/redirect_table\.node could not be loaded/);
  });

  it('names the prebuilt binary and the source build when only a prebuilt binary is there and it does not load', () => {
    const stderr = failedLoad((dir) => fs.writeFileSync(path.join(dir('prebuilds', platform), 'redirect_table.node'), 'not an ELF file'));
    assert.match(stderr, /its native addon .*prebuilds\/.*\/redirect_table\.node could not be loaded/);
    assert.match(stderr, /--build-from-source/);
  });

  it("refuses an addon whose verdicts are not the ones lib/ declares (built from other sources)", () => {
    const lib = path.join(__dirname, '..', 'lib');
    const script =
      `const { addon } = require(${JSON.stringify(path.join(lib, 'addon'))});` +
      'addon.constants.verdicts = { ...addon.constants.verdicts, ENOBUFS: -1 };' +
      `require(${JSON.stringify(lib)});`;
    const child = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    assert.notEqual(child.status, 0);
    assert.match(child.stderr, /the addon's verdicts .* are not the ones lib\/ declares/);
    assert.match(child.stderr, /"ENOBUFS":-1/);
  });
});
