// A dependency-free SVG writer for benchmark results: one grouped bar chart per panel (x groups =
// thread counts, one bar per series), panels stacked vertically, a shared legend on top.

export interface ChartSeries {
  name: string;
  /** `min`/`max`: an error bar (the spread of the runs behind `value`) */
  points: Array<{ threads: number; value: number; min?: number; max?: number; note?: string }>;
}

export interface ChartPanel {
  title: string;
  unit: string;
  series: ChartSeries[];
}

const WIDTH = 900;
const MARGIN = 20;
const PLOT_LEFT = 86; // room for tick labels and the rotated unit title
const PLOT_RIGHT = WIDTH - MARGIN;
const PANEL_TITLE_HEIGHT = 28;
const PLOT_HEIGHT = 220;
const X_AXIS_HEIGHT = 44; // thread counts and the axis title
const PANEL_GAP = 18;
const FONT = 'font-family="Helvetica, Arial, sans-serif"';

// Tableau 10: distinguishable, and readable in grey scale; further series get spread hues.
const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

function colour(index: number): string {
  if (index < PALETTE.length) return PALETTE[index];
  const hue = Math.round((index * 137.508) % 360);
  return `hsl(${hue}, 55%, 50%)`;
}

/** Escapes the XML special characters of text and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": 'apos' }[c]};`);
}

/** A coordinate with at most 2 decimals (keeps the document small and free of "1e-7"). */
function px(x: number): string {
  return String(Math.round(x * 100) / 100);
}

/** [from, divisor, suffix]: thousands get a suffix from 10,000 on ("1230", "12.3k"). */
const SUFFIXES: Array<[number, number, string]> = [
  [1e9, 1e9, 'G'],
  [1e6, 1e6, 'M'],
  [1e4, 1e3, 'k'],
];

/** 3 significant digits, with k (from 10,000), M and G suffixes: "12.3", "0.456", "1230", "58.5M". */
export function formatValue(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  const rounded = Number(value.toPrecision(3));
  if (rounded === 0) return '0';
  const abs = Math.abs(rounded);
  for (const [from, scale, suffix] of SUFFIXES) {
    if (abs >= from) return `${formatValue(rounded / scale)}${suffix}`;
  }
  if (abs >= 100) return String(Math.round(rounded));
  const decimals = 2 - Math.floor(Math.log10(abs));
  return String(Number(rounded.toFixed(decimals))); // drops trailing zeros: "12.3", "0.5"
}

/** A tick label: the value with as many decimals as the step needs, and the same suffixes. */
function formatTick(value: number, step: number): string {
  if (value === 0) return '0';
  for (const [from, scale, suffix] of SUFFIXES) {
    if (step * 5 >= from) return `${formatTick(value / scale, step / scale)}${suffix}`;
  }
  const decimals = Math.max(0, Math.min(6, -Math.floor(Math.log10(step) + 1e-9) + (isRoundMultiple(step) ? 0 : 1)));
  return String(Number(value.toFixed(decimals)));
}

/** Whether `step` is 1, 2 or 5 times a power of ten (2.5 times one needs one more decimal). */
function isRoundMultiple(step: number): boolean {
  const mantissa = step / 10 ** Math.floor(Math.log10(step) + 1e-9);
  return Math.abs(mantissa - 2.5) > 1e-6;
}

/** A "nice" axis from 0: a step of 1, 2, 2.5 or 5 times a power of ten, 3 to 5 intervals. */
export function niceAxis(max: number): { top: number; step: number; ticks: number[] } {
  if (!(max > 0) || !Number.isFinite(max)) return { top: 1, step: 0.25, ticks: [0, 0.25, 0.5, 0.75, 1] };
  const raw = max / 5;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 2.5, 5, 10].find((m) => m * magnitude >= raw * (1 - 1e-9)) ?? 10) * magnitude;
  const intervals = Math.max(3, Math.ceil(max / step - 1e-9));
  const ticks = Array.from({ length: intervals + 1 }, (_, i) => Number((i * step).toPrecision(12)));
  return { top: intervals * step, step, ticks };
}

function textWidth(text: string, fontSize: number): number {
  return text.length * fontSize * 0.58; // an estimate for a proportional sans-serif font
}

function wrap(text: string, maxChars: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter((w) => w !== '')) {
    if (line !== '' && line.length + 1 + word.length > maxChars) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}

/** Where a panel's plot and bars go, and the value scale. */
interface PanelLayout {
  top: number;
  plotTop: number;
  plotBottom: number;
  plotWidth: number;
  /** the x groups: thread counts, ascending */
  threads: number[];
  groupWidth: number;
  seriesCount: number;
  barWidth: number;
  /** value labels rotated (they are wider than a bar) */
  rotate: boolean;
  axis: { top: number; step: number; ticks: number[] };
  /** the y coordinate of a value */
  y: (v: number) => number;
}

function panelLayout(panel: ChartPanel, top: number): PanelLayout {
  const plotTop = top + PANEL_TITLE_HEIGHT;
  const plotBottom = plotTop + PLOT_HEIGHT;
  const plotWidth = PLOT_RIGHT - PLOT_LEFT;
  const threads = [
    ...new Set(panel.series.flatMap((s) => s.points.map((p) => p.threads)).filter((t) => Number.isFinite(t))),
  ].sort((a, b) => a - b);
  const values = panel.series.flatMap((s) => s.points.flatMap((p) => [p.value, p.max ?? p.value])).filter((v) => Number.isFinite(v));
  const max = Math.max(0, ...values);

  // Headroom for the value labels: horizontal ones need a line, rotated ones their length.
  const groupWidth = plotWidth / Math.max(1, threads.length);
  const seriesCount = Math.max(1, panel.series.length);
  const barWidth = Math.min(56, (groupWidth * 0.8) / seriesCount);
  const longest = Math.max(3, ...values.map((v) => formatValue(v).length));
  const rotate = textWidth('x'.repeat(longest), 10) > barWidth + 4;
  const headroom = rotate ? textWidth('x'.repeat(longest), 10) + 6 : 14;
  const axis = niceAxis(max);
  const scale = (PLOT_HEIGHT - headroom) / axis.top; // axis.top > 0 always
  const y = (v: number): number => plotBottom - Math.max(0, Math.min(v, axis.top)) * scale;
  return { top, plotTop, plotBottom, plotWidth, threads, groupWidth, seriesCount, barWidth, rotate, axis, y };
}

/** The panel's title, grid lines with tick labels, y axis and unit, and "no data" when empty. */
function renderFrame(panel: ChartPanel, layout: PanelLayout): string[] {
  const { top, plotTop, plotBottom, plotWidth, threads, axis, y } = layout;
  const out: string[] = [];
  out.push(
    `<text x="${PLOT_LEFT}" y="${top + 18}" font-size="14" font-weight="bold" fill="#222">${escapeXml(panel.title)}</text>`
  );
  // grid lines and tick labels
  for (const tick of axis.ticks) {
    const ty = px(y(tick));
    out.push(
      `<line x1="${PLOT_LEFT}" y1="${ty}" x2="${PLOT_RIGHT}" y2="${ty}" stroke="${tick === 0 ? '#444' : '#ddd'}" stroke-width="1"/>`
    );
    out.push(
      `<text x="${PLOT_LEFT - 6}" y="${ty}" font-size="11" fill="#444" text-anchor="end" dominant-baseline="middle">${escapeXml(formatTick(tick, axis.step))}</text>`
    );
  }
  out.push(`<line x1="${PLOT_LEFT}" y1="${px(y(axis.top))}" x2="${PLOT_LEFT}" y2="${px(plotBottom)}" stroke="#444" stroke-width="1"/>`);
  const unitX = MARGIN + 6;
  const unitY = (plotTop + plotBottom) / 2;
  out.push(
    `<text x="${unitX}" y="${px(unitY)}" font-size="12" fill="#333" text-anchor="middle" dominant-baseline="middle" transform="rotate(-90 ${unitX} ${px(unitY)})">${escapeXml(panel.unit)}</text>`
  );

  if (threads.length === 0) {
    out.push(
      `<text x="${px(PLOT_LEFT + plotWidth / 2)}" y="${px(plotBottom - PLOT_HEIGHT / 2)}" font-size="12" fill="#888" text-anchor="middle">no data</text>`
    );
  }
  return out;
}

/** Series `s`'s bar at thread count `t` (its last point there), left edge `x`: the bar with its
 * tooltip, its error bar and its value label, or "n/a" without a value. */
function renderBar(panel: ChartPanel, layout: PanelLayout, s: ChartSeries, t: number, x: number, fill: string): string[] {
  const { plotBottom, barWidth, rotate, y } = layout;
  const point = [...s.points].reverse().find((p) => p.threads === t);
  const cx = x + barWidth / 2;
  if (point === undefined || !Number.isFinite(point.value)) {
    return [`<text x="${px(cx)}" y="${px(plotBottom - 5)}" font-size="9" fill="#888" text-anchor="middle">n/a</text>`];
  }
  const out: string[] = [];
  const hasSpread = point.min !== undefined && point.max !== undefined && Number.isFinite(point.min) && Number.isFinite(point.max);
  const barTop = y(point.value);
  const labelTop = hasSpread ? Math.min(barTop, y(point.max!)) : barTop;
  const label = escapeXml(formatValue(point.value));
  const range = hasSpread ? ` (${formatValue(point.min!)}-${formatValue(point.max!)})` : '';
  const note = point.note === undefined ? '' : `, ${point.note}`;
  const tip = escapeXml(`${s.name}, ${formatValue(t)} threads: ${formatValue(point.value)}${range} ${panel.unit}${note}`);
  out.push(
    `<rect class="bar" x="${px(x + 1)}" y="${px(barTop)}" width="${px(Math.max(1, barWidth - 2))}" height="${px(plotBottom - barTop)}" fill="${fill}"><title>${tip}</title></rect>`
  );
  if (hasSpread) {
    const lo = px(y(point.min!));
    const hi = px(y(point.max!));
    const cap = Math.min(8, barWidth / 3);
    out.push(
      `<path class="error-bar" d="M${px(cx)} ${lo}V${hi}M${px(cx - cap)} ${lo}H${px(cx + cap)}M${px(cx - cap)} ${hi}H${px(cx + cap)}" stroke="#222" stroke-width="1.2" fill="none"/>`
    );
  }
  if (rotate) {
    out.push(
      `<text x="${px(cx)}" y="${px(labelTop - 4)}" font-size="10" fill="#222" dominant-baseline="middle" transform="rotate(-90 ${px(cx)} ${px(labelTop - 4)})">${label}</text>`
    );
  } else {
    out.push(`<text x="${px(cx)}" y="${px(labelTop - 4)}" font-size="10" fill="#222" text-anchor="middle">${label}</text>`);
  }
  return out;
}

function renderPanel(panel: ChartPanel, top: number, colours: Map<string, string>): string[] {
  const layout = panelLayout(panel, top);
  const { plotBottom, plotWidth, threads, groupWidth, seriesCount, barWidth } = layout;
  const out: string[] = [`<g class="panel">`, ...renderFrame(panel, layout)];
  threads.forEach((t, g) => {
    const groupLeft = PLOT_LEFT + g * groupWidth;
    const barsLeft = groupLeft + (groupWidth - barWidth * seriesCount) / 2;
    out.push(
      `<text x="${px(groupLeft + groupWidth / 2)}" y="${px(plotBottom + 16)}" font-size="12" fill="#333" text-anchor="middle">${escapeXml(formatValue(t))}</text>`
    );
    panel.series.forEach((s, i) => out.push(...renderBar(panel, layout, s, t, barsLeft + i * barWidth, colours.get(s.name) ?? '#888')));
  });
  out.push(
    `<text x="${px(PLOT_LEFT + plotWidth / 2)}" y="${px(plotBottom + 36)}" font-size="12" fill="#333" text-anchor="middle">threads</text>`
  );
  out.push(`</g>`);
  return out;
}

/** A complete standalone SVG document: `title`, an optional `subtitle`, a legend, then the panels. */
export function renderChart(title: string, panels: ChartPanel[], subtitle?: string): string {
  const names: string[] = [];
  for (const panel of panels) for (const s of panel.series) if (!names.includes(s.name)) names.push(s.name);
  const colours = new Map(names.map((name, i) => [name, colour(i)]));

  const body: string[] = [];
  let y = MARGIN + 20;
  body.push(`<text x="${MARGIN}" y="${y}" font-size="18" font-weight="bold" fill="#111">${escapeXml(title)}</text>`);
  for (const line of subtitle === undefined ? [] : wrap(subtitle, Math.floor((WIDTH - 2 * MARGIN) / textWidth('x', 12)))) {
    y += 18;
    body.push(`<text x="${MARGIN}" y="${y}" font-size="12" fill="#555">${escapeXml(line)}</text>`);
  }

  // legend: swatch and name per series, wrapped into rows
  y += 14;
  let x = MARGIN;
  const legend: string[] = [];
  for (const name of names) {
    const width = 18 + textWidth(name, 12) + 22;
    if (x !== MARGIN && x + width > WIDTH - MARGIN) {
      x = MARGIN;
      y += 20;
    }
    legend.push(
      `<rect x="${px(x)}" y="${y}" width="12" height="12" fill="${colours.get(name)}"/>`,
      `<text x="${px(x + 18)}" y="${y + 10}" font-size="12" fill="#222">${escapeXml(name)}</text>`
    );
    x += width;
  }
  if (names.length > 0) {
    body.push(`<g class="legend">`, ...legend, `</g>`);
    y += 20;
  }

  y += 6;
  for (const panel of panels) {
    body.push(...renderPanel(panel, y, colours));
    y += PANEL_TITLE_HEIGHT + PLOT_HEIGHT + X_AXIS_HEIGHT + PANEL_GAP;
  }
  const height = Math.ceil(y - PANEL_GAP + MARGIN / 2);

  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" ${FONT}>`,
    `<title>${escapeXml(title)}</title>`,
    `<rect x="0" y="0" width="${WIDTH}" height="${height}" fill="#fff"/>`,
    ...body,
    `</svg>`,
  ].join('\n');
}
