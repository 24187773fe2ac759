import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const root = path.join(__dirname, '..', '..');

describe('core under AddressSanitizer + UBSan (no Node)', () => {
  it('readers, writers, redirectors, unregistrations, moves, device kinds, a conditional-delete collector, table and namespace churn race for a few seconds with zero reports', function () {
    this.timeout(300_000);
    const seconds = process.env.STRESS_SECONDS ?? '3';
    const run = spawnSync('make', ['-s', '-C', path.join(root, 'test', 'native'), 'run', `SECONDS=${seconds}`], {
      encoding: 'utf8',
      timeout: 280_000,
    });
    const output = `${run.stdout}\n${run.stderr}`;
    assert.equal(run.error, undefined, String(run.error));
    assert.doesNotMatch(output, /ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:|VIOLATION/, output);
    assert.equal(run.status, 0, output);
    const summary = /stress: .* (\d+) frames handed, \d+ received, (\d+) lookups, (\d+) updates, (\d+) unregisters, (\d+) duels, (\d+) table cycles, (\d+) namespace cycles, (\d+) move duels, (\d+) kind storms, (\d+) collector deletes, 0 violations/.exec(
      output
    );
    assert.ok(summary, output);
    const counts = summary.slice(1).map(Number); // frames, lookups, updates, unregisters, duels, tables, namespaces, move duels, kind storms, collector deletes
    assert.ok(counts.every((n) => n > 0), output);
  });
});
