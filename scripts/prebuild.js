'use strict';
// Makes the prebuilt binary the package ships (run by `npm pack` / `npm publish` as prepack):
// prebuilds/<platform>-<arch>/ holds the addon, built with an $ORIGIN run path, the liburcu
// shared objects it links (so installing needs no compiler and no liburcu), and liburcu's
// licence notice. `--clean` removes prebuilds/ (postpack: a checkout always runs its own build).
// Needs what a source build needs, plus ldd and objdump (binutils).
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { rebuild } = require('./node-gyp.js');

const ROOT = path.join(__dirname, '..');
const PREBUILDS = path.join(ROOT, 'prebuilds');
const TARGET = path.join(PREBUILDS, `${process.platform}-${process.arch}`);
const ADDON = 'redirect_table.node';
const LGPL_TEXT = '/usr/share/common-licenses/LGPL-2.1';

function fail(message) {
  process.stderr.write(`prebuild: ${message}\n`);
  process.exit(1);
}

function run(command, args) {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  if (result.error || result.status !== 0) {
    fail(`\`${command} ${args.join(' ')}\` failed: ${result.error?.message ?? result.stderr}`);
  }
  return result.stdout;
}

/** The liburcu shared objects `file` loads, as ldd resolves them: [{ soname, file }]. */
function liburcuDependencies(file) {
  return [...run('ldd', [file]).matchAll(/^\s*(liburcu[\w.-]*\.so[\w.]*) => (\S+)/gm)].map(([, soname, resolved]) => ({
    soname,
    file: resolved,
  }));
}

function compareVersions(a, b) {
  const x = a.split('.').map(Number);
  const y = b.split('.').map(Number);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const difference = (x[i] ?? 0) - (y[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

/** The newest symbol version of each of `prefixes` that `file` needs, e.g. { GLIBC: '2.34' }. */
function newestSymbolVersions(file, prefixes) {
  const versions = {};
  for (const [, prefix, version] of run('objdump', ['-T', file]).matchAll(/\((\w+?)_(\d+(?:\.\d+)*)\)/g)) {
    if (prefixes.includes(prefix) && compareVersions(version, versions[prefix] ?? '0') > 0) versions[prefix] = version;
  }
  return versions;
}

function notice(liburcuVersion, requirements) {
  const copyright = ['liburcu-dev', 'liburcu8', 'liburcu8t64']
    .map((pkg) => `/usr/share/doc/${pkg}/copyright`)
    .find((file) => fs.existsSync(file));
  if (!fs.existsSync(LGPL_TEXT)) fail(`${LGPL_TEXT} (the LGPL-2.1 text to ship with liburcu) is missing`);
  return [
    '# Third-party software in this directory',
    '',
    `The liburcu shared objects here (\`liburcu-memb.so.8\`, \`liburcu-cds.so.8\`) are liburcu ${liburcuVersion},`,
    'the Userspace RCU library (https://liburcu.org/), licensed under the GNU Lesser General Public',
    'License version 2.1 or later; the full text follows. They are unmodified copies of the',
    "build machine's distribution package. Its source: https://liburcu.org/ (or the distribution's",
    '`liburcu` source package). `redirect_table.node` finds them beside it through its `$ORIGIN`',
    'run path; replace them with any compatible build of liburcu, or build the addon from source',
    'against your own (`npm rebuild redirect-table --build-from-source`).',
    '',
    `The binary needs glibc ${requirements.GLIBC} or later and the C++ runtime of GCC ${requirements.gcc} or`,
    `later (libstdc++ ${requirements.GLIBCXX}).`,
    '',
    ...(copyright ? ['## Copyright (from the distribution package)', '', '```', fs.readFileSync(copyright, 'utf8').trimEnd(), '```', ''] : []),
    '## GNU Lesser General Public License, version 2.1',
    '',
    '```',
    fs.readFileSync(LGPL_TEXT, 'utf8').trimEnd(),
    '```',
    '',
  ].join('\n');
}

// libstdc++ symbol version -> the GCC release that introduced it (the ones a C++20 build can need).
const GCC_OF_GLIBCXX = { '3.4.28': '10', '3.4.29': '11', '3.4.30': '12', '3.4.31': '13', '3.4.32': '14', '3.4.33': '14' };

function prebuild() {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'redirect-table-prebuild-'));
  try {
    fs.cpSync(path.join(ROOT, 'binding.gyp'), path.join(work, 'binding.gyp'));
    fs.cpSync(path.join(ROOT, 'addon'), path.join(work, 'addon'), { recursive: true });
    if (rebuild(work, 'prebuild', ['redirect_table_prebuild=1']) !== 0) process.exit(1);
    const built = path.join(work, 'build', 'Release', ADDON);

    fs.rmSync(TARGET, { recursive: true, force: true });
    fs.mkdirSync(TARGET, { recursive: true });
    fs.copyFileSync(built, path.join(TARGET, ADDON));
    const liburcu = liburcuDependencies(built);
    if (liburcu.length === 0) fail(`${built} links no liburcu shared object`);
    for (const { soname, file } of liburcu) fs.copyFileSync(fs.realpathSync(file), path.join(TARGET, soname));

    // The shipped addon must find every liburcu object beside it, none of the system's.
    const shipped = path.join(TARGET, ADDON);
    for (const { soname, file } of liburcuDependencies(shipped)) {
      if (path.dirname(file) !== TARGET) fail(`${soname} resolves to ${file}, not beside the addon`);
    }
    const versions = newestSymbolVersions(shipped, ['GLIBC', 'GLIBCXX']);
    const requirements = { ...versions, gcc: GCC_OF_GLIBCXX[versions.GLIBCXX] ?? `with GLIBCXX_${versions.GLIBCXX}` };
    const liburcuVersion = run('pkg-config', ['--modversion', 'liburcu-memb']).trim();
    fs.writeFileSync(path.join(TARGET, 'THIRD-PARTY-NOTICES.md'), notice(liburcuVersion, requirements));
    const files = fs.readdirSync(TARGET).join(', ');
    console.log(`prebuild: ${path.relative(ROOT, TARGET)}: ${files} (needs glibc ${requirements.GLIBC}, libstdc++ ${requirements.GLIBCXX})`);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv.includes('--clean')) fs.rmSync(PREBUILDS, { recursive: true, force: true });
else prebuild();
