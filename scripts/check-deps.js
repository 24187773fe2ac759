'use strict';
// Whether liburcu can be built against (pkg-config), and the one line that says how to get it:
// scripts/install.js stops with it before a source build, instead of a page of compiler errors.
// Never installs anything (that is `npm run setup`).
const { spawnSync } = require('node:child_process');

const MODULES = ['liburcu-memb', 'liburcu-cds'];

function found() {
  const r = spawnSync('pkg-config', ['--exists', ...MODULES], { stdio: 'ignore' });
  return !r.error && r.status === 0;
}

function missingMessage() {
  return (
    'redirect-table: liburcu (pkg-config ' + MODULES.join(' ') + ') not found; install it ' +
    '(apt: liburcu-dev, dnf: userspace-rcu-devel, apk: userspace-rcu-dev, brew: userspace-rcu) ' +
    'or run `npm run setup`'
  );
}

if (require.main === module && !found()) {
  console.error(missingMessage());
  process.exit(1);
}

module.exports = { found, missingMessage, MODULES };
