import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

// A copy of the compiled library in a directory of its own, whose build/Release holds `addon`
// (or nothing); loading it in a child reports the error the loader makes.
function loadCopy(addon: ((release: string) => void) | undefined): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-loader-'));
  try {
    fs.cpSync(path.join(__dirname, '..', 'lib'), path.join(root, 'dist', 'lib'), { recursive: true });
    if (addon) {
      const release = path.join(root, 'build', 'Release');
      fs.mkdirSync(release, { recursive: true });
      addon(release);
    }
    const child = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(path.join(root, 'dist', 'lib'))})`], {
      encoding: 'utf8',
    });
    assert.notEqual(child.status, 0);
    return child.stderr;
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

function compile(args: string[], cwd: string): void {
  const cc = spawnSync('cc', args, { cwd, encoding: 'utf8' });
  assert.equal(cc.status, 0, cc.stderr);
}

describe('loading the native addon', () => {
  it('says the addon was never built, and how to build it, when it is missing', () => {
    const stderr = loadCopy(undefined);
    assert.match(stderr, /redirect-table: its native addon was never built/);
    assert.match(stderr, /npm rebuild redirect-table/);
    assert.match(stderr, /liburcu-dev/);
  });

  it('names the liburcu runtime package when the addon cannot find liburcu', function () {
    if (spawnSync('cc', ['--version']).status !== 0) this.skip(); // a compiler builds the addon anyway
    const stderr = loadCopy((release) => {
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
    const stderr = loadCopy((release) => fs.writeFileSync(path.join(release, 'redirect_table.node'), 'not an ELF file'));
    assert.match(stderr, /redirect-table: its native addon .*redirect_table\.node could not be loaded/);
  });
});
