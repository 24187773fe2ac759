// `npm run bench -- --compare before.json after.json`: every figure the two results files share,
// side by side with the ratio of their medians, as a table and an SVG chart, so that a change's
// effect is one command. Reads files of this version and of earlier ones (one run, no spreads).
import * as fs from 'node:fs';
import type { Baseline } from '../harness/baseline';
import { escapeXml, formatValue } from './chart';
import { BaselineFigures, baselineFigures, formatSpread, namedFigures, overlaps, PhaseFigures, phaseFigures, Spread } from './figures';
import type { PhaseResult } from '../harness/run-phase';
import { UsageError } from '../common/cli';

export interface ComparedFigure {
  name: string;
  before: Spread;
  after: Spread;
  /** after / before, medians */
  ratio: number;
  /** > 1: the after run is better (faster or more throughput) */
  improvement: number;
  overlap: boolean;
}

interface ResultsFile {
  date?: string;
  provenance?: { commit: string; package: { version: string } };
  baseline: BaselineFigures | { array: Baseline; hash: Baseline } | null;
  phases: PhaseResult[];
  figures?: PhaseFigures[];
}

function load(file: string): { label: string; figures: ReturnType<typeof namedFigures> } {
  let parsed: ResultsFile;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as ResultsFile;
  } catch (error) {
    throw new UsageError(`--compare: cannot read ${file}: ${(error as Error).message}`);
  }
  if (!Array.isArray(parsed.phases)) throw new UsageError(`--compare: ${file} is not a bench results file`);
  // Files from before rounds: one baseline and one run per phase.
  const baseline =
    parsed.figures !== undefined
      ? (parsed.baseline as BaselineFigures | null)
      : parsed.baseline === null
        ? null
        : baselineFigures([parsed.baseline as { array: Baseline; hash: Baseline }]);
  const figures = parsed.figures ?? phaseFigures(parsed.phases);
  const label = parsed.provenance !== undefined ? `${parsed.provenance.package.version} ${parsed.provenance.commit.slice(0, 12)}` : (parsed.date ?? file);
  return { label, figures: namedFigures(baseline, figures) };
}

export function compareFiles(beforeFile: string, afterFile: string): { before: string; after: string; figures: ComparedFigure[] } {
  const before = load(beforeFile);
  const after = load(afterFile);
  const figures: ComparedFigure[] = [];
  for (const [name, b] of before.figures) {
    const a = after.figures.get(name);
    if (a === undefined) continue;
    const ratio = a.value.median / b.value.median;
    figures.push({ name, before: b.value, after: a.value, ratio, improvement: b.higherIsBetter ? ratio : 1 / ratio, overlap: overlaps(a.value, b.value) });
  }
  return { before: before.label, after: after.label, figures };
}

export function formatComparison(c: ReturnType<typeof compareFiles>): string {
  const num = (n: number): string => formatValue(n);
  const rows = [
    ['figure', `before (${c.before})`, `after (${c.after})`, 'after/before', 'better by', ''],
    ...c.figures.map((f) => [
      f.name,
      formatSpread(f.before, num),
      formatSpread(f.after, num),
      `${f.ratio.toFixed(3)}x`,
      `${((f.improvement - 1) * 100).toFixed(1)}%`,
      f.overlap ? 'spreads overlap' : '',
    ]),
  ];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const lines = rows.map((r) => r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ').trimEnd());
  return `${lines.join('\n')}\n${c.figures.length} figures in both files; "better by" counts lower ns and higher throughput as better\n`;
}

/** One horizontal bar per figure: how much better (right, green) or worse (left, red) the after run is. */
export function comparisonChart(c: ReturnType<typeof compareFiles>): string {
  const rowHeight = 22;
  const labelWidth = 420;
  const plotWidth = 400;
  const top = 56;
  const width = labelWidth + plotWidth + 80;
  const height = top + c.figures.length * rowHeight + 30;
  const limit = Math.max(0.05, ...c.figures.map((f) => Math.abs(f.improvement - 1)).filter(Number.isFinite));
  const centre = labelWidth + plotWidth / 2;
  const scale = plotWidth / 2 / limit;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="20" y="24" font-size="16" font-weight="bold">${escapeXml(`after (${c.after}) vs before (${c.before})`)}</text>`,
    `<text x="20" y="44" font-size="12" fill="#555">better by (%, medians); faded: the spreads overlap</text>`,
    `<line x1="${centre}" y1="${top - 6}" x2="${centre}" y2="${height - 24}" stroke="#444"/>`,
  ];
  c.figures.forEach((f, i) => {
    const y = top + i * rowHeight;
    const delta = Number.isFinite(f.improvement) ? f.improvement - 1 : 0;
    const w = Math.abs(delta) * scale;
    const x = delta >= 0 ? centre : centre - w;
    const fill = delta >= 0 ? '#59a14f' : '#e15759';
    out.push(`<text x="${labelWidth - 8}" y="${y + 14}" font-size="11" text-anchor="end">${escapeXml(f.name)}</text>`);
    out.push(`<rect x="${x.toFixed(1)}" y="${y + 4}" width="${Math.max(1, w).toFixed(1)}" height="${rowHeight - 8}" fill="${fill}" fill-opacity="${f.overlap ? 0.35 : 0.9}"><title>${escapeXml(`${f.name}: ${(delta * 100).toFixed(1)}%`)}</title></rect>`);
    out.push(`<text x="${(delta >= 0 ? x + w + 4 : x - 4).toFixed(1)}" y="${y + 14}" font-size="10" text-anchor="${delta >= 0 ? 'start' : 'end'}">${(delta * 100).toFixed(1)}%</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
