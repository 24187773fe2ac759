'use strict';
// Runs the node-gyp of this checkout's devDependencies for the build scripts (bench peers addon,
// prebuilt binary).
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

/**
 * node-gyp reads --nodedir from npm's environment (npm_config_nodedir) when run by npm. Run
 * directly, it would download headers: point it at the running node's own headers when they
 * are installed and match its version.
 */
function nodedirArgs() {
  if (process.env.npm_config_nodedir) return [];
  const prefix = path.resolve(path.dirname(process.execPath), '..');
  try {
    const header = fs.readFileSync(path.join(prefix, 'include', 'node', 'node_version.h'), 'utf8');
    const part = (name) => header.match(new RegExp(`#define NODE_${name}_VERSION (\\d+)`))?.[1];
    const version = `v${part('MAJOR')}.${part('MINOR')}.${part('PATCH')}`;
    return version === process.version ? [`--nodedir=${prefix}`] : [];
  } catch {
    return [];
  }
}

/**
 * `node-gyp rebuild` in `cwd`, quietly: its output is shown only when the build fails, under
 * `label`. `gypDefines` are gyp variables (`name=value`). Returns 0 or an exit code.
 */
function rebuild(cwd, label, gypDefines = []) {
  const nodeGyp = require.resolve('node-gyp/bin/node-gyp.js');
  const defines = gypDefines.length ? ['--', ...gypDefines.map((d) => `-D${d}`)] : [];
  const result = spawnSync(process.execPath, [nodeGyp, 'rebuild', '-j', '2', ...nodedirArgs(), ...defines], {
    cwd,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error) {
    process.stderr.write(`${label}: cannot run node-gyp: ${result.error.message}\n`);
    return 1;
  }
  if (result.status !== 0) {
    process.stderr.write(`${result.stdout}${result.stderr}${label}: the build failed\n`);
    return result.status ?? 1;
  }
  return 0;
}

module.exports = { rebuild };
