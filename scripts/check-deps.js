'use strict';
// Runs before node-gyp on `npm install`: stops with one clear line when liburcu is missing,
// instead of a page of compiler errors. Never installs anything (that is `npm run setup`).
const { spawnSync } = require('node:child_process');

const MODULES = ['liburcu-memb', 'liburcu-cds'];

function found() {
  const r = spawnSync('pkg-config', ['--exists', ...MODULES], { stdio: 'ignore' });
  return !r.error && r.status === 0;
}

if (require.main === module) {
  if (!found()) {
    console.error(
      'redirect-table: liburcu (pkg-config ' + MODULES.join(' ') + ') not found; install it ' +
        '(apt: liburcu-dev, dnf: userspace-rcu-devel, apk: userspace-rcu-dev, brew: userspace-rcu) ' +
        'or run `npm run setup`'
    );
    process.exit(1);
  }
}

module.exports = { found, MODULES };
