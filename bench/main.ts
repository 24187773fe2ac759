// `npm run bench`: parses the command line, builds the peers' addon if needed (quietly), runs
// the benchmark (bench/harness/run-bench.ts), prints the report, and exits 1 when our tables broke a
// correctness property.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runCli, UsageError } from './common/cli';
import { ensurePeersAddon } from './peers/native-addon';
import { HELP, OptionsError, parseOptions } from './harness/options';

async function main(): Promise<number> {
  let options;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    throw error instanceof OptionsError ? new UsageError(error.message) : error;
  }
  if (options === 'help') {
    process.stdout.write(HELP);
    return 0;
  }
  if ('compare' in options) {
    const [before, after] = options.compare;
    const { compareFiles, comparisonChart, formatComparison } = await import('./report/compare');
    const comparison = compareFiles(before, after);
    const svg = path.join(path.dirname(after), `${path.basename(after, '.json')}-vs-${path.basename(before, '.json')}.svg`);
    fs.writeFileSync(svg, comparisonChart(comparison));
    process.stdout.write(`${formatComparison(comparison)}chart: ${path.relative(process.cwd(), svg)}\n`);
    return 0;
  }
  ensurePeersAddon();
  const { runBench } = await import('./harness/run-bench');
  const { formatReport } = await import('./report/tables');
  const { report, jsonFile, svgFile } = await runBench(options, (text) => process.stdout.write(text));
  process.stdout.write(formatReport(report));
  process.stdout.write(`\nresults: ${path.relative(process.cwd(), jsonFile)}\nchart:   ${path.relative(process.cwd(), svgFile)}\n`);
  return report.failures.length !== 0 ? 1 : 0;
}

runCli('bench', HELP, process.argv.slice(2), main);
