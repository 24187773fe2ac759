'use strict';
// `npm run setup`: installs the system dependency (liburcu and pkg-config) with this machine's
// package manager, then runs `npm install`. Works before `npm install` (plain Node only).
const { spawnSync } = require('node:child_process');
const { found } = require('./check-deps.js');

const MANAGERS = [
  { tool: 'apt-get', update: ['apt-get', 'update'], install: ['apt-get', 'install', '-y', 'liburcu-dev', 'pkg-config'] },
  { tool: 'dnf', install: ['dnf', 'install', '-y', 'userspace-rcu-devel', 'pkgconf-pkg-config'] },
  { tool: 'apk', install: ['apk', 'add', 'userspace-rcu-dev', 'pkgconf'] },
  { tool: 'brew', install: ['brew', 'install', 'userspace-rcu', 'pkg-config'], noRoot: true },
];

function has(tool) {
  return spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status === 0;
}

function run(argv, { root }) {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const full = root && !isRoot ? ['sudo', ...argv] : argv;
  console.log(`setup: running: ${full.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const r = spawnSync(full[0], full.slice(1), { stdio: 'inherit', env });
  if (r.error || r.status !== 0) {
    console.error(`setup: \`${full.join(' ')}\` failed (${r.error ? r.error.message : 'exit ' + r.status})`);
    process.exit(1);
  }
}

function installSystemDependency() {
  if (found()) {
    console.log('setup: liburcu already present (pkg-config liburcu-memb liburcu-cds)');
    return;
  }
  const manager = MANAGERS.find((m) => has(m.tool));
  if (!manager) {
    console.error('setup: no known package manager (apt-get, dnf, apk, brew); install liburcu (userspace-rcu) and pkg-config by hand');
    process.exit(1);
  }
  const root = !manager.noRoot;
  if (manager.update) run(manager.update, { root });
  run(manager.install, { root });
  if (!found()) {
    console.error('setup: liburcu still not found by pkg-config after installing it');
    process.exit(1);
  }
}

installSystemDependency();
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
console.log('setup: running: npm install');
const r = spawnSync(npm, ['install'], { stdio: 'inherit' });
process.exit(r.status === null ? 1 : r.status);
