'use strict';
// Builds the bench-only peers addon (bench/peers/native) when bench_peers.node is missing or
// older than a source in bench/peers/native; does nothing otherwise. Exits non-zero if the build
// fails.
const fs = require('node:fs');
const path = require('node:path');
const { rebuild } = require('./node-gyp.js');

const NATIVE_DIR = path.join(__dirname, '..', 'bench', 'peers', 'native');
const ADDON = path.join(NATIVE_DIR, 'build', 'Release', 'bench_peers.node');

function mtimeMs(file) {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
}

// What the addon compiles from the core (bench/peers/native/binding.gyp lists them too).
const CORE_DIR = path.join(__dirname, '..', 'addon', 'core');
const CORE_SOURCES = ['sink.cpp', 'sink.hpp', 'frame.hpp', 'alloc.cpp', 'alloc.hpp', 'memory_usage.cpp', 'memory_usage.hpp', 'thread_slot.cpp', 'thread_slot.hpp'];

/** The newest mtime of the files directly in bench/peers/native (binding.gyp, .cpp, .hpp) and
 * of the core files it compiles. */
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

/** Builds the addon when it is missing or stale. 0 or an exit code. */
function ensureBuilt() {
  return upToDate() ? 0 : rebuild(NATIVE_DIR, 'bench: the bench-only peers addon (bench/peers/native)');
}

if (require.main === module) process.exitCode = ensureBuilt();

module.exports = { ADDON, upToDate, ensureBuilt };
