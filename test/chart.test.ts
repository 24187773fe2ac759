import * as assert from 'node:assert/strict';
import { ChartPanel, formatValue, niceAxis, renderChart } from '../bench/report/chart';

/** Checks that every element is closed in order (a simple well-formedness test, not a parser). */
function assertBalanced(svg: string): void {
  const stack: string[] = [];
  for (const match of svg.matchAll(/<(\/?)([A-Za-z][\w:-]*)[^>]*?(\/?)>/g)) {
    const [, closing, name, selfClosing] = match;
    if (selfClosing === '/') continue;
    if (closing === '/') assert.equal(stack.pop(), name, `</${name}> closes another element`);
    else stack.push(name);
  }
  assert.deepEqual(stack, [], 'unclosed elements');
  assert.doesNotMatch(svg.replace(/<[^>]*>/g, ''), /[<>]|&(?!(amp|lt|gt|quot|apos);)/, 'unescaped text');
}

const panels: ChartPanel[] = [
  {
    title: 'Per-call get',
    unit: 'M gets/s',
    series: [
      { name: 'a<b&c', points: [{ threads: 1, value: 12.345 }, { threads: 2, value: 20 }, { threads: 4, value: NaN }] },
      { name: 'plain', points: [{ threads: 4, value: 30.1 }, { threads: 1, value: 0.5 }] },
    ],
  },
  { title: 'Batched <redirect>', unit: 'ns/frame', series: [{ name: 'plain', points: [{ threads: 2, value: 58.5e6 }] }] },
  { title: 'All zero', unit: 'ns', series: [{ name: 'zero', points: [{ threads: 1, value: 0 }, { threads: 2, value: 0 }] }] },
  { title: 'Empty', unit: 'x', series: [] },
];

describe('bench/report/chart renderChart', () => {
  const svg = renderChart('Title & "quotes"', panels, 'sub <title>');

  it('is a standalone SVG document with balanced tags', () => {
    assert.ok(svg.startsWith('<svg'), svg.slice(0, 40));
    assert.ok(svg.endsWith('</svg>'));
    assert.match(svg, /xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assertBalanced(svg);
  });

  it('draws one bar per finite point', () => {
    const finite = panels.flatMap((p) => p.series.flatMap((s) => s.points)).filter((p) => Number.isFinite(p.value));
    assert.equal(svg.match(/<rect class="bar"/g)?.length, finite.length);
  });

  it('escapes XML special characters in every text', () => {
    assert.ok(svg.includes('>a&lt;b&amp;c</text>'), 'legend name not escaped');
    assert.ok(!svg.includes('a<b&c'));
    assert.ok(svg.includes('Title &amp; &quot;quotes&quot;'));
    assert.ok(svg.includes('sub &lt;title&gt;'));
    assert.ok(svg.includes('Batched &lt;redirect&gt;'));
  });

  it('labels a NaN or missing value n/a, and never prints NaN or Infinity', () => {
    // Panel 1: 'a<b&c' is NaN at 4 threads and 'plain' has no point at 2 threads.
    assert.equal(svg.match(/>n\/a</g)?.length, 2);
    assert.doesNotMatch(svg, /NaN|Infinity|undefined/);
  });

  it('labels bars with 3 significant digits', () => {
    assert.ok(svg.includes('>12.3</text>'));
    assert.ok(svg.includes('>58.5M</text>'));
    assert.ok(svg.includes('>0.5</text>'));
  });

  it('handles an all-zero panel and an empty one', () => {
    const zero = renderChart('z', [panels[2]]);
    assert.doesNotMatch(zero, /NaN|Infinity/);
    assert.equal(zero.match(/<rect class="bar"/g)?.length, 2);
    const empty = renderChart('e', [panels[3]]);
    assertBalanced(empty);
    assert.ok(empty.includes('no data'));
  });
});

describe('bench/report/chart helpers', () => {
  it('niceAxis starts at 0 with 4 to 6 nice ticks', () => {
    for (const max of [0, 1e-9, 0.003, 1, 1.01, 2.6, 5.01, 9.99, 10, 10.1, 12345, 58.5e6, 7e12]) {
      const { top, step, ticks } = niceAxis(max);
      assert.equal(ticks[0], 0);
      assert.ok(ticks.length >= 4 && ticks.length <= 6, `${max}: ${ticks.length} ticks`);
      assert.ok(top >= max && step > 0, `${max}: top ${top}`);
      const mantissa = step / 10 ** Math.floor(Math.log10(step) + 1e-9);
      assert.ok([1, 2, 2.5, 5].some((m) => Math.abs(m - mantissa) < 1e-6), `${max}: step ${step}`);
    }
  });

  it('formatValue keeps 3 significant digits', () => {
    assert.deepEqual(
      [12.345, 0.000123, 99.96, 1234, 12345, 58.5e6, 0, NaN, -Infinity].map(formatValue),
      ['12.3', '0.000123', '100', '1230', '12.3k', '58.5M', '0', 'n/a', 'n/a']
    );
  });
});
