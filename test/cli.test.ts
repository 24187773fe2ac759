import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const root = path.join(__dirname, '..', '..');
const noNative = path.join(__dirname, 'children', 'no-native.js');

// Every command line a user runs, by its entry file.
const TOOLS: Array<[string, string[]]> = [
  ['bench', [path.join(root, 'dist', 'bench', 'main.js')]],
  ['bench:micro', [path.join(root, 'dist', 'bench', 'micro.js')]],
  ['bench:gc-race', [path.join(root, 'dist', 'bench', 'gc-race.js')]],
  ['soak', [path.join(root, 'dist', 'bench', 'soak.js')]],
  ['verify', [path.join(root, 'scripts', 'verify.js')]],
];

function run(args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, ['--require', noNative, ...args], { encoding: 'utf8', timeout: 30_000 });
}

describe('command lines', () => {
  it('no-native preload really blocks addons', () => {
    const r = run(['-e', `require(${JSON.stringify(root)})`]);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /native addons are not available/);
  });

  for (const [tool, entry] of TOOLS) {
    it(`${tool} --help answers without loading or building anything native`, () => {
      const r = run([...entry, '--help']);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /^usage: /i);
      assert.equal(r.stderr, '');
    });

    it(`${tool} rejects an unknown option with one line and exit code 2`, () => {
      const r = run([...entry, '--no-such-option']);
      assert.equal(r.status, 2, r.stderr);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, new RegExp(`^${tool}: .*no-such-option.* \\(see --help\\)\\n$`));
    });
  }
});
