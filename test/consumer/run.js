'use strict';
// The package as users get it: packs the tarball (with its prebuilt binary), checks what it
// holds, then installs it into fresh consumer projects three ways and uses it from CommonJS, from
// an ES module with named imports and from strict TypeScript (node16 and bundler resolution,
// without @types/node). The installs that must not compile run with CC and CXX set to `false`.
//   node test/consumer/run.js          (REDIRECT_TABLE_CONSUMER_NODES="node22 node26 ...": the
//                                        smoke tests also run on those Node binaries)
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const ROOT = path.join(__dirname, '..', '..');
const FIXTURES = ['smoke.cjs', 'smoke.mjs', 'loaded-addon.cjs', 'types.ts', 'tsconfig.node16.json', 'tsconfig.bundler.json'];
const TSC = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const NO_COMPILER = { CC: '/bin/false', CXX: '/bin/false' };
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'redirect-table-consumer-'));

function fail(message) {
  process.stderr.write(`consumer: FAILED: ${message}\n`);
  process.exit(1);
}

/** Runs a command; fails the whole run unless it exits 0. Returns its output and seconds. */
function run(command, args, { cwd = ROOT, env = {} } = {}) {
  const started = process.hrtime.bigint();
  const result = spawnSync(command, args, {
    cwd,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.error || result.status !== 0) {
    fail(`\`${command} ${args.join(' ')}\` in ${cwd}: ${result.error?.message ?? `exit ${result.status}`}\n${result.stdout}${result.stderr}`);
  }
  return { stdout: result.stdout, stderr: result.stderr, seconds };
}

function pack() {
  const { stdout, seconds } = run('npm', ['pack', '--json', '--pack-destination', work]);
  const [info] = JSON.parse(stdout.slice(stdout.indexOf('[')));
  const files = info.files.map((file) => file.path).sort();
  console.log(`consumer: npm pack: ${info.filename}, ${files.length} files, ${(info.size / 1024).toFixed(1)} kB packed, ${(info.unpackedSize / 1024).toFixed(1)} kB unpacked (${seconds.toFixed(1)} s, prebuilt binary included)`);
  for (const file of files) console.log(`consumer:   ${file}`);
  return { tarball: path.join(work, info.filename), files };
}

function checkContents(files) {
  const platform = `${process.platform}-${process.arch}`;
  const required = [
    'LICENSE',
    'README.md',
    'CHANGELOG.md',
    'package.json',
    'binding.gyp',
    'dist/lib/index.js',
    'dist/lib/index.d.ts',
    'scripts/install.js',
    ...['redirect_table.node', 'liburcu-memb.so.8', 'liburcu-cds.so.8', 'THIRD-PARTY-NOTICES.md'].map((f) => `prebuilds/${platform}/${f}`),
  ];
  for (const file of required) if (!files.includes(file)) fail(`the tarball lacks ${file}`);
  const allowed = /^(LICENSE|README\.md|CHANGELOG\.md|package\.json|binding\.gyp|dist\/lib\/|lib\/|addon\/(core|napi)\/|prebuilds\/|scripts\/(install|check-deps)\.js$)/;
  const stray = files.filter((file) => !allowed.test(file));
  if (stray.length > 0) fail(`the tarball holds files users do not need: ${stray.join(', ')}`);
  // Every source map names sources the tarball ships.
  const unpacked = path.join(work, 'unpacked');
  fs.mkdirSync(unpacked);
  run('tar', ['xzf', path.join(work, fs.readdirSync(work).find((f) => f.endsWith('.tgz'))), '-C', unpacked]);
  for (const map of files.filter((file) => file.endsWith('.map'))) {
    const full = path.join(unpacked, 'package', map);
    for (const source of JSON.parse(fs.readFileSync(full, 'utf8')).sources) {
      const target = path.relative(path.join(unpacked, 'package'), path.resolve(path.dirname(full), source));
      if (!files.includes(target)) fail(`${map} names ${source}, which the tarball lacks`);
    }
  }
  console.log('consumer: tarball contents: what users need and nothing else; every source map resolves');
}

/** A fresh project with the tarball installed by `npm install <args>`; returns its directory. */
function consumer(name, tarball, args, env) {
  const dir = path.join(work, name);
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: `consumer-${name}`, version: '1.0.0', private: true }));
  for (const fixture of FIXTURES) fs.copyFileSync(path.join(__dirname, fixture), path.join(dir, fixture));
  const { stdout, stderr, seconds } = run('npm', ['install', '--no-audit', '--no-fund', '--foreground-scripts', ...args, tarball], { cwd: dir, env });
  console.log(`consumer: ${name}: npm install ${args.join(' ')} ${Object.entries(env).map(([k, v]) => `${k}=${v}`).join(' ')}: ${seconds.toFixed(1)} s`);
  return { dir, log: stdout + stderr };
}

function smoke(dir, { prebuilt }) {
  const nodes = [process.execPath, ...(process.env.REDIRECT_TABLE_CONSUMER_NODES ?? '').split(/\s+/).filter(Boolean)];
  const env = { CONSUMER_EXPECT_PREBUILT: prebuilt ? '1' : '0' };
  for (const node of nodes) {
    for (const file of ['smoke.cjs', 'smoke.mjs']) {
      const { stdout } = run(node, [file], { cwd: dir, env });
      console.log(`consumer:   ${stdout.trim()}`);
      if (!prebuilt && !stdout.includes('/build/Release/redirect_table.node')) fail(`${file} did not load the source build`);
    }
  }
}

function typecheck(dir) {
  for (const resolution of ['node16', 'bundler']) {
    run(process.execPath, [TSC, '-p', `tsconfig.${resolution}.json`], { cwd: dir });
    console.log(`consumer:   TypeScript strict, ${resolution} resolution, no @types/node: types.ts compiles (type tests pass)`);
  }
}

function main() {
  const { tarball, files } = pack();
  checkContents(files);

  const plain = consumer('ignore-scripts', tarball, ['--ignore-scripts'], NO_COMPILER);
  const addon = path.join(plain.dir, 'node_modules', 'redirect-table', 'prebuilds', `${process.platform}-${process.arch}`, 'redirect_table.node');
  const ldd = run('ldd', [addon]).stdout;
  const liburcu = ldd.split('\n').filter((line) => line.includes('liburcu'));
  for (const line of liburcu) console.log(`consumer:   ldd: ${line.trim()}`);
  if (liburcu.length !== 2 || liburcu.some((line) => !line.includes(path.dirname(addon)))) fail(`liburcu does not resolve beside the addon:\n${ldd}`);
  smoke(plain.dir, { prebuilt: true });
  typecheck(plain.dir);

  const scripted = consumer('install-scripts', tarball, [], NO_COMPILER);
  if (!/using the prebuilt binary/.test(scripted.log)) fail(`the install script did not keep the prebuilt binary:\n${scripted.log}`);
  smoke(scripted.dir, { prebuilt: true });

  const source = consumer('from-source', tarball, [], { REDIRECT_TABLE_BUILD_FROM_SOURCE: '1' });
  smoke(source.dir, { prebuilt: false });

  fs.rmSync(work, { recursive: true, force: true });
  console.log('consumer: all passed');
}

main();
