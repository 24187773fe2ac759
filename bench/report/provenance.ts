// Where a results file came from: the package version and git commit, Node and V8, the CPU.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface Provenance {
  package: { name: string; version: string };
  /** `git rev-parse HEAD` of the checkout, with "+dirty" when it has changes; "unknown" outside git */
  commit: string;
  node: string;
  v8: string;
  platform: string;
  cpu: { model: string; count: number; availableParallelism: number };
}

// Compiled to dist/bench/report/provenance.js: three levels up is the repository root.
const ROOT = path.join(__dirname, '..', '..', '..');

function git(args: string[]): string | undefined {
  const r = spawnSync('git', args, { cwd: ROOT, encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

export function provenance(): Provenance {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string };
  const head = git(['rev-parse', 'HEAD']);
  const dirty = head !== undefined && (git(['status', '--porcelain', '--untracked-files=no']) ?? '') !== '';
  const cpus = os.cpus();
  return {
    package: { name: pkg.name, version: pkg.version },
    commit: head === undefined ? 'unknown' : `${head}${dirty ? '+dirty' : ''}`,
    node: process.version,
    v8: process.versions.v8,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    cpu: { model: cpus[0]?.model ?? 'unknown', count: cpus.length, availableParallelism: os.availableParallelism() },
  };
}
