import * as assert from 'node:assert/strict';
import * as os from 'node:os';
import * as path from 'node:path';
import { runGcRace } from '../bench/gc-race/run';

describe('bench/gc-race (short run)', () => {
  it('the naive collector deletes live flows; the conditional one deletes none', async function () {
    this.timeout(60_000);
    const out = path.join(os.tmpdir(), `gc-race-${process.pid}.json`);
    let printed = '';
    const results = await runGcRace(['--seconds', '0.7', '--workers', '2', '--out', out], (text) => (printed += text));
    assert.match(printed, /^table  collector +runs +deleted +busy +live flows wrongly deleted +datapath hits$/m);
    assert.deepEqual(
      results.map((r) => `${r.kind}/${r.collector}`),
      ['array/naive', 'array/conditional', 'hash/naive', 'hash/conditional']
    );
    for (const r of results) {
      assert.ok(r.deleted > 0 && r.hits > 0, `${r.kind}/${r.collector}: nothing happened`);
      if (r.collector === 'naive') {
        assert.ok(r.wronglyDeleted > 0, `${r.kind}: the benchmark did not provoke the race`);
      } else {
        assert.ok(r.busy > 0, `${r.kind}: no refresh raced the conditional collector`);
        assert.equal(r.wronglyDeleted, 0, `${r.kind}: the conditional collector deleted live flows`);
      }
    }
  });
});
