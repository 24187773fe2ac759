// Formats the benchmark's results as a table a person can read.
import type { TableStats } from '../lib';
import type { Baseline } from './baseline';
import type { ReaderResult } from './shared';

export interface BenchReport {
  date: string;
  machine: { cpus: number; model: string; node: string };
  options: Record<string, unknown>;
  baseline: Baseline;
  hashBaseline: Baseline;
  readers: ReaderResult[];
  tableStats: TableStats;
  conservation: { accepted: number; received: number; handedToDevices: number; ok: boolean };
  control: Array<{ sets: number; deletes: number; batchSets: number; unregisters: number; unregisterMs: number[]; seconds: number }>;
}

const millions = (n: number): string => `${(n / 1e6).toFixed(1)} M/s`;

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ')).join('\n');
}

export function formatReport(report: BenchReport): string {
  const lines: string[] = [];
  lines.push(`\nredirect-table bench — ${report.machine.model}, ${report.machine.cpus} cores, Node ${report.machine.node}`);
  const b = report.baseline;
  const row = (kind: string, x: Baseline): string[] => [
    kind,
    `${x.noopNs.toFixed(1)} ns`,
    `${x.echoNs.toFixed(1)} ns`,
    `${x.getNs.toFixed(1)} ns`,
    `${(x.getNs / x.noopNs).toFixed(2)}x`,
    `${x.getBatchNsPerKey.toFixed(2)} ns`,
    `${x.redirectNsPerFrame.toFixed(2)} ns`,
    millions(1e9 / x.redirectNsPerFrame),
    x.redirectBulkAverage.toFixed(1),
  ];
  lines.push('single thread, quiet table:');
  lines.push(
    table([
      ['table', 'no-op call', 'call(number)→number', 'get', 'get / no-op', 'getBatch per key', 'redirect per frame', 'frames/s', 'bulk avg'],
      row('array', b),
      row('hash', report.hashBaseline),
    ])
  );
  lines.push(
    `flush cost vs table size (3 destinations per batch): 16 slots ${b.flushScaling.smallTableNsPerFrame.toFixed(2)} ns/frame, ` +
      `1,000,000 slots ${b.flushScaling.largeTableNsPerFrame.toFixed(2)} ns/frame`
  );
  lines.push(`${report.readers.length} reader threads while the control thread updates:`);
  const rows = [['reader', 'no-op call', 'per-call get', 'ns/get', 'getBatch', 'ns/key', 'redirect', 'ns/frame', 'hit rate', 'checked', 'inconsistent']];
  let totalRedirect = 0;
  let totalCall = 0;
  let totalBatch = 0;
  let inconsistent = 0;
  for (const r of report.readers) {
    const call = r.perCall.lookups / r.perCall.seconds;
    const batch = r.batched.lookups / r.batched.seconds;
    const frames = r.redirect.hits / r.redirect.seconds;
    totalRedirect += frames;
    totalCall += call;
    totalBatch += batch;
    inconsistent += r.perCall.inconsistent + r.batched.inconsistent;
    rows.push([
      `thread ${r.thread}`,
      millions(r.noopPerSecond),
      millions(call),
      (1e9 / call).toFixed(1),
      millions(batch),
      (1e9 / batch).toFixed(2),
      millions(frames),
      (1e9 / frames).toFixed(2),
      `${((100 * (r.perCall.hits + r.batched.hits)) / (r.perCall.lookups + r.batched.lookups)).toFixed(0)}%`,
      String(r.perCall.checked + r.batched.checked),
      String(r.perCall.inconsistent + r.batched.inconsistent),
    ]);
  }
  rows.push(['all', '', millions(totalCall), '', millions(totalBatch), '', millions(totalRedirect), '', '', '', String(inconsistent)]);
  lines.push(table(rows));
  const c = report.control.reduce(
    (acc, x) => ({
      sets: acc.sets + x.sets,
      deletes: acc.deletes + x.deletes,
      batchSets: acc.batchSets + x.batchSets,
      unregisters: acc.unregisters + x.unregisters,
      seconds: acc.seconds + x.seconds,
      unregisterMs: acc.unregisterMs.concat(x.unregisterMs),
    }),
    { sets: 0, deletes: 0, batchSets: 0, unregisters: 0, seconds: 0, unregisterMs: [] as number[] }
  );
  const latencies = c.unregisterMs.sort((a, b) => a - b);
  lines.push(
    `control thread: ${Math.round(c.sets / c.seconds)} sets/s, ${Math.round(c.deletes / c.seconds)} deletes/s, ` +
      `${Math.round(c.batchSets / c.seconds)} setBatch(8)/s, ${c.unregisters} unregistrations ` +
      `(unregister→resolved p50 ${percentile(latencies, 50).toFixed(2)} ms, p99 ${percentile(latencies, 99).toFixed(2)} ms)`
  );
  const ts = report.tableStats;
  lines.push(
    `table counters (baseline included): ${ts.redirected} frames accepted, ${ts.misses} misses, bulk average ${ts.bulkAverage.toFixed(1)} frames, ` +
      `${ts.flushes} flushes`
  );
  const k = report.conservation;
  lines.push(
    `conservation: accepted ${k.accepted} = tx + drops + errors ${k.handedToDevices}` +
      `${k.ok ? ' (ok)' : ' (FAILED)'}; received from rings ${k.received}`
  );
  lines.push(`inconsistent reads: ${inconsistent}${inconsistent === 0 ? ' (ok)' : ' (FAILED)'}`);
  for (const r of report.readers) for (const e of r.examples) lines.push(`  thread ${r.thread}: ${e}`);
  return `${lines.join('\n')}\n`;
}
