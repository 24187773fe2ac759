import * as assert from 'node:assert/strict';
import { analyseGrowth, MemorySample } from '../bench/soak/growth';

/** A sample a minute from `rss`, with native memory at 408 bytes and 1 M operations a minute. */
const series = (rss: number[], native = 408): MemorySample[] =>
  rss.map((rssMiB, minute) => ({ minute, rssMiB, nativeBytes: native, ops: minute * 1e6 }));

describe('soak memory verdict', () => {
  it('passes a flat run and reports its slopes', () => {
    const report = analyseGrowth(series([50, 80, 90, 91, 90, 91, 90, 91, 90, 91, 90]), 2, 408);
    assert.deepEqual(report.failures, []);
    assert.equal(report.afterWarmupRssMiB, 90);
    assert.equal(report.endRssMiB, 90);
    assert.ok(Math.abs(report.mibPerMinute) < 0.1, String(report.mibPerMinute));
    assert.ok(Math.abs(report.kibPerMillionOps) < 100, String(report.kibPerMillionOps));
  });

  it('fails growth beyond 10% after the warm-up, with the slope per minute and per million operations', () => {
    const report = analyseGrowth(series([50, 70, 80, 82, 84, 86, 88, 90, 92, 94, 96]), 2, 408);
    assert.equal(report.mibPerMinute, 2);
    assert.equal(report.kibPerMillionOps, 2048);
    assert.deepEqual(report.failures, ['RSS grew 17.5% after the warm-up (budget 10%)']);
  });

  it('fails an end above twice the start', () => {
    const report = analyseGrowth(series([40, 90, 95, 95, 95, 95]), 1, 408);
    assert.deepEqual(report.failures, ['RSS ended at 2.38x the start (budget 2x)']);
  });

  it('fails native memory that is not back at its starting figure after a phase', () => {
    const samples = series([60, 60, 60, 60]);
    samples[2].nativeBytes = 408 + 4096;
    assert.deepEqual(analyseGrowth(samples, 0, 408).failures, ['native memory after the phase ending at minute 2.00: 4504 bytes, 408 before the first phase']);
  });

  it('does not judge growth with fewer than three samples after the warm-up', () => {
    const report = analyseGrowth(series([50, 200, 400]), 1, 408);
    assert.equal(report.judgedSamples, 2);
    assert.deepEqual(report.failures, []);
  });
});
