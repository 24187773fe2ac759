import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.join(__dirname, '..', '..');

/** The README's ```js blocks, in order. */
function examples(): string[] {
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  return [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]);
}

describe('README examples', () => {
  it('has runnable examples', () => {
    assert.ok(examples().length >= 2);
  });

  examples().forEach((code, i) => {
    it(`example ${i + 1} runs as written`, () => {
      // Inside the package, so require('redirect-table') resolves to this package.
      const dir = path.join(root, 'build', 'readme-examples');
      fs.mkdirSync(dir, { recursive: true });
      const file = path.join(dir, `example-${i + 1}.js`);
      fs.writeFileSync(file, code);
      const run = spawnSync(process.execPath, [file], { encoding: 'utf8', timeout: 30_000 });
      assert.equal(run.status, 0, run.stderr);
      assert.equal(run.stderr, '');
      if (code.includes('ENODEV')) {
        assert.match(run.stdout, /^true true$/m);
        assert.match(run.stdout, /^true ENODEV$/m);
      }
      if (code.includes('Verdict.EMSGSIZE')) {
        assert.match(run.stdout, /^1 100$/m);
        assert.match(run.stdout, /^1 103$/m);
      }
      if (code.includes('submitQueue(')) {
        assert.match(run.stdout, /^submitted 2 0 0 -105$/m);
        assert.match(run.stdout, /^true 1$/m);
      }
      if (code.includes('slot array counted')) assert.match(run.stdout, /^slot array counted: true$/m);
      if (code.includes("require('prom-client')")) {
        const labels = '\\{table="\\d+",kind="array",namespace="root"\\}';
        assert.match(run.stdout, new RegExp(`^redirect_table_redirected_frames_total${labels} 2$`, 'm'));
        assert.match(run.stdout, new RegExp(`^redirect_table_misses_total${labels} 1$`, 'm'));
        assert.match(run.stdout, new RegExp(`^redirect_table_bulks_total${labels} 1$`, 'm'));
        assert.match(run.stdout, /^# TYPE redirect_table_redirected_frames_total counter$/m);
        assert.match(run.stdout, /^redirect_device_tx_frames_total\{namespace="root",device="prom0"\} 2$/m);
        assert.match(run.stdout, /^redirect_device_tx_bytes_total\{namespace="root",device="prom0"\} 120$/m);
        const bytes = /^redirect_table_native_memory_bytes (\d+)$/m.exec(run.stdout);
        assert.ok(bytes && Number(bytes[1]) > 0, 'native memory exported');
      }
      if (code.includes('createVethPair')) {
        assert.match(run.stdout, /^guest true$/m);
        assert.match(run.stdout, /^released released released$/m);
      }
      if (code.includes('listener bug')) assert.match(run.stdout, /^redirect threw: listener bug - sent 2 txFrames 2$/m);
      if (code.includes('TRACE_CHANNEL')) {
        assert.match(run.stdout, /^trace: table mine -> chan0 sent 3 drops 0 errors 0$/m);
        assert.equal(run.stdout.match(/^trace:/gm)?.length, 1, 'no event after unsubscribe');
      }
      if (code.includes('.frames(')) assert.match(run.stdout, /^received 640 frames, woken on demand$/m);
      if (code.includes('worker saw ifindex')) {
        assert.match(run.stdout, /^DataCloneError ERR_REDIRECT_TABLE_NOT_CLONEABLE$/m);
        assert.match(run.stdout, /worker saw ifindex \d+ of veth-w0/);
      }
    });
  });
});
