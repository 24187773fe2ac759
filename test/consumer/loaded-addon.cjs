'use strict';
// The addon and liburcu files this process has mapped. With CONSUMER_EXPECT_PREBUILT=1 it
// checks that they all come from the package's prebuilds/ directory (no system liburcu).
const fs = require('node:fs');
const path = require('node:path');

function addonFiles() {
  const files = new Set();
  for (const line of fs.readFileSync('/proc/self/maps', 'utf8').split('\n')) {
    const file = line.split(/\s+/)[5];
    if (file && /redirect_table\.node|liburcu/.test(file)) files.add(file);
  }
  const list = [...files];
  if (process.env.CONSUMER_EXPECT_PREBUILT === '1') {
    const outside = list.filter((file) => !file.includes('/node_modules/redirect-table/prebuilds/'));
    if (outside.length > 0 || list.length < 3) throw new Error(`expected the prebuilt addon and its liburcu, got: ${list.join(', ')}`);
  }
  return list.map((file) => (file.startsWith(process.cwd()) ? path.relative(process.cwd(), file) : file)).sort();
}

module.exports = { addonFiles };
