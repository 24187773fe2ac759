// Runs some of the compiled test files in a child mocha process (with extra environment, e.g. a
// setting that forces a fallback path) and reads the summary reporter's line back.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

export interface SuiteRun {
  passed: number;
  failed: number;
  skipped: number;
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `names` (test/<name>.test.ts, compiled) in a child; `dryRun` only lists their tests. */
export function runSuites(names: string[], env: NodeJS.ProcessEnv, options: { dryRun?: boolean } = {}): SuiteRun {
  const files = names.map((name) => path.join(__dirname, '..', `${name}.test.js`));
  const mocha = require.resolve('mocha/bin/mocha.js');
  const reporter = path.join(__dirname, '..', '..', '..', 'scripts', 'summary-reporter.js');
  const args = [mocha, '--no-config', '--node-option', 'expose-gc', '--timeout', '120000', '--reporter', reporter, ...files];
  if (options.dryRun) args.push('--dry-run');
  const child = spawnSync(process.execPath, args, { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 110_000 });
  const match = /^(\d+) passed, (\d+) failed(?:, (\d+) skipped)?$/m.exec(child.stdout);
  assert.ok(match, `no summary line in ${child.stdout.slice(-2000)} ${child.stderr.slice(-2000)}`);
  return {
    passed: Number(match[1]),
    failed: Number(match[2]),
    skipped: Number(match[3] ?? 0),
    status: child.status,
    stdout: child.stdout,
    stderr: child.stderr,
  };
}
