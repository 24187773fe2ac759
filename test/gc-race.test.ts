import * as assert from 'node:assert/strict';
import * as os from 'node:os';
import * as path from 'node:path';
import { runGcRace } from '../bench/gc-race/main';

describe('bench/gc-race (short run)', () => {
  it('the naive collector deletes live flows; the conditional one deletes none', async function () {
    this.timeout(60_000);
    const out = path.join(os.tmpdir(), `gc-race-${process.pid}.json`);
    const [naive, conditional] = await runGcRace(['--seconds', '1', '--workers', '2', '--out', out]);
    assert.equal(naive.collector, 'naive');
    assert.ok(naive.deleted > 0 && naive.hits > 0);
    assert.ok(naive.wronglyDeleted > 0, 'the benchmark did not provoke the race');
    assert.equal(conditional.collector, 'conditional');
    assert.ok(conditional.deleted > 0);
    assert.ok(conditional.busy > 0, 'no refresh raced the conditional collector');
    assert.equal(conditional.wronglyDeleted, 0);
  });
});
