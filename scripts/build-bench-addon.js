'use strict';
// Builds the bench-only peers addon (bench/native) when bench_peers.node is missing or older
// than a source in bench/native; does nothing otherwise. Exits non-zero if the build fails.
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const NATIVE_DIR = path.join(__dirname, '..', 'bench', 'native');
const ADDON = path.join(NATIVE_DIR, 'build', 'Release', 'bench_peers.node');

function mtimeMs(file) {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
}

// What the addon compiles from the core (bench/native/binding.gyp lists them too).
const CORE_DIR = path.join(__dirname, '..', 'addon', 'core');
const CORE_SOURCES = ['sink.cpp', 'sink.hpp', 'frame.hpp', 'alloc.cpp', 'alloc.hpp', 'memory_usage.cpp', 'memory_usage.hpp', 'thread_slot.cpp', 'thread_slot.hpp'];

/** The newest mtime of the files directly in bench/native (binding.gyp, .cpp, .hpp) and of the
 * core files it compiles. */
function newestSourceMtimeMs() {
  let newest = 0;
  for (const entry of fs.readdirSync(NATIVE_DIR, { withFileTypes: true })) {
    if (entry.isFile()) newest = Math.max(newest, mtimeMs(path.join(NATIVE_DIR, entry.name)) ?? 0);
  }
  for (const name of CORE_SOURCES) newest = Math.max(newest, mtimeMs(path.join(CORE_DIR, name)) ?? 0);
  return newest;
}

function upToDate() {
  const built = mtimeMs(ADDON);
  return built !== undefined && built >= newestSourceMtimeMs();
}

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

/** Builds quietly: node-gyp's output is shown only when the build fails. 0 or an exit code. */
function build() {
  const nodeGyp = require.resolve('node-gyp/bin/node-gyp.js');
  const result = spawnSync(process.execPath, [nodeGyp, 'rebuild', ...nodedirArgs()], {
    cwd: NATIVE_DIR,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error) {
    process.stderr.write(`bench: cannot run node-gyp: ${result.error.message}\n`);
    return 1;
  }
  if (result.status !== 0) {
    process.stderr.write(`${result.stdout}${result.stderr}bench: building the bench-only peers addon (bench/native) failed\n`);
    return result.status ?? 1;
  }
  return 0;
}

/** Builds the addon when it is missing or stale. 0 or an exit code. */
function ensureBuilt() {
  return upToDate() ? 0 : build();
}

if (require.main === module) process.exitCode = ensureBuilt();

module.exports = { ADDON, upToDate, ensureBuilt };
