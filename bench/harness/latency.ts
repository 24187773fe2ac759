// Latency samples of control operations and their percentiles.

export interface LatencySummary {
  /** operations recorded */
  count: number;
  /** samples kept (a uniform reservoir beyond the recorder's capacity): the percentiles' basis */
  samples: number;
  /** microseconds */
  p50: number;
  p99: number;
  p999: number;
  max: number;
}

/** Keeps up to `capacity` samples (microseconds); beyond that, a uniform reservoir. The buffer
 * starts small and doubles as samples arrive: a recorder in a short-lived worker that records a
 * few thousand samples must not allocate megabytes (large buffers freed by exiting workers stay
 * in glibc's per-thread arenas; see docs/design.md, "Memory"). */
export class LatencyRecorder {
  private samples: Float64Array;
  private seen = 0;
  private largest = -Infinity;
  private seed = 0x6d2b79f5;

  constructor(private readonly capacity = 1 << 16) {
    this.samples = new Float64Array(Math.min(1024, capacity));
  }

  /** Records the time since `startMs` (a performance.now() reading). */
  since(startMs: number): void {
    this.add((performance.now() - startMs) * 1000);
  }

  add(us: number): void {
    if (us > this.largest) this.largest = us;
    if (this.seen === this.samples.length && this.seen < this.capacity) {
      const grown = new Float64Array(Math.min(this.capacity, this.samples.length * 2));
      grown.set(this.samples);
      this.samples = grown;
    }
    if (this.seen < this.samples.length) {
      this.samples[this.seen] = us;
    } else {
      this.seed ^= this.seed << 13;
      this.seed ^= this.seed >>> 17;
      this.seed ^= this.seed << 5;
      const slot = (this.seed >>> 0) % (this.seen + 1);
      if (slot < this.samples.length) this.samples[slot] = us;
    }
    this.seen += 1;
  }

  summary(): LatencySummary {
    const sorted = this.samples.slice(0, Math.min(this.seen, this.samples.length)).sort();
    // A percentile needs samples beyond it: p99 from fewer than 100 samples is the max, not a p99.
    const at = (p: number): number =>
      sorted.length === 0 || sorted.length * (1 - p) < 1 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
    return { count: this.seen, samples: sorted.length, p50: at(0.5), p99: at(0.99), p999: at(0.999), max: sorted.length === 0 ? NaN : this.largest };
  }
}

/** The summaries of the recorders that recorded anything, by name. */
export function summaries(recorders: Record<string, LatencyRecorder>): Record<string, LatencySummary> {
  const out: Record<string, LatencySummary> = {};
  for (const [name, recorder] of Object.entries(recorders)) {
    const summary = recorder.summary();
    if (summary.count !== 0) out[name] = summary;
  }
  return out;
}
