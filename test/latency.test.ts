import * as assert from 'node:assert/strict';
import { LatencyRecorder } from '../bench/harness/latency';

describe('bench latency recorder', () => {
  it('reports no percentile it has too few samples for, and the samples behind them', () => {
    const r = new LatencyRecorder();
    for (let i = 1; i <= 32; i += 1) r.add(i);
    assert.deepEqual(r.summary(), { count: 32, samples: 32, p50: 17, p99: NaN, p999: NaN, max: 32 });
    for (let i = 33; i <= 200; i += 1) r.add(i);
    const s = r.summary();
    assert.equal(s.p99, 199);
    assert.ok(Number.isNaN(s.p999));
  });

  it('keeps a reservoir beyond its capacity, counts everything, and the true max', () => {
    const r = new LatencyRecorder(1000);
    for (let i = 0; i < 10_000; i += 1) r.add(i === 5000 ? 1e9 : i % 100);
    const s = r.summary();
    assert.equal(s.count, 10_000);
    assert.equal(s.samples, 1000);
    assert.equal(s.max, 1e9);
    assert.ok(s.p50 >= 40 && s.p50 <= 60, String(s.p50));
  });

  it('is empty before the first sample', () => {
    const s = new LatencyRecorder().summary();
    assert.equal(s.count, 0);
    assert.equal(s.samples, 0);
    assert.ok([s.p50, s.p99, s.p999, s.max].every(Number.isNaN));
  });
});
