// Runs a script of this folder in a child process and returns its status and the JSON report
// it printed last, for tests whose failure could kill the process that runs them.
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

export interface ChildRun<T> {
  status: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  report: T | undefined;
}

export function runChild<T>(script: string, args: string[] = [], node = process.execPath): ChildRun<T> {
  // The timeout only stops a child that hangs (a failure); nothing is measured against it.
  const run = spawnSync(node, [path.join(__dirname, `${script}.js`), ...args], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  const last = run.stdout.trim().split('\n').pop();
  let report: T | undefined;
  try {
    report = last ? (JSON.parse(last) as T) : undefined;
  } catch {
    report = undefined;
  }
  return { status: run.status, signal: run.signal, stderr: run.stderr, report };
}
