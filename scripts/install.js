'use strict';
// `npm install`: keeps the prebuilt binary when it loads on this machine (no compiler, no
// liburcu needed), else builds from source with node-gyp, after check-deps has made sure liburcu
// is there. A checkout (a .git beside package.json) always builds what it holds, as does
// `npm install --build-from-source` (or REDIRECT_TABLE_BUILD_FROM_SOURCE=1).
// lib/addon.ts loads the addon from the same two places: build/Release first, then prebuilds/.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { found, missingMessage } = require('./check-deps.js');

const ROOT = path.join(__dirname, '..');
const PREBUILT = path.join(ROOT, 'prebuilds', `${process.platform}-${process.arch}`, 'redirect_table.node');

function fromSourceRequested() {
  const flag = (value) => value !== undefined && value !== '' && value !== 'false' && value !== '0';
  return flag(process.env.npm_config_build_from_source) || flag(process.env.REDIRECT_TABLE_BUILD_FROM_SOURCE);
}

/** Why the prebuilt binary cannot serve this machine, or undefined when it loads. */
function prebuiltProblem() {
  if (!fs.existsSync(PREBUILT)) return `no prebuilt binary for ${process.platform}-${process.arch}`;
  const child = spawnSync(process.execPath, ['-e', 'require(process.argv[1])', PREBUILT], { encoding: 'utf8' });
  if (child.status === 0) return undefined;
  const reason = child.stderr.split('\n').find((line) => /Error/.test(line)) ?? `exit ${child.status}`;
  return `the prebuilt binary does not load here (${reason.trim()})`;
}

// Compiles in parallel (node-gyp compiles one file at a time by default): one job per CPU, at
// most four (each C++20 compile takes a few hundred MB). JOBS or npm's --jobs still decide.
function jobsArgs() {
  if (process.env.JOBS || process.env.npm_config_jobs) return [];
  const cpus = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  return ['--jobs', String(Math.max(1, Math.min(cpus, 4)))];
}

function buildFromSource(reason) {
  console.log(`redirect-table: building the addon from source: ${reason}`);
  if (!found()) {
    console.error(missingMessage());
    process.exit(1);
  }
  // npm runs install scripts with its own node-gyp (npm_config_node_gyp) and node-gyp on PATH.
  const nodeGyp = process.env.npm_config_node_gyp;
  const rebuild = ['rebuild', ...jobsArgs()];
  const [command, args] = nodeGyp ? [process.execPath, [nodeGyp, ...rebuild]] : ['node-gyp', rebuild];
  const result = spawnSync(command, args, { cwd: ROOT, stdio: 'inherit' });
  if (result.error) console.error(`redirect-table: cannot run node-gyp: ${result.error.message}`);
  process.exit(result.error ? 1 : (result.status ?? 1));
}

if (fs.existsSync(path.join(ROOT, '.git'))) buildFromSource('a checkout builds what it holds');
else if (fromSourceRequested()) buildFromSource('requested (--build-from-source)');
else {
  const problem = prebuiltProblem();
  if (problem === undefined) console.log(`redirect-table: using the prebuilt binary for ${process.platform}-${process.arch}`);
  else buildFromSource(problem);
}
