'use strict';
// CommonJS consumer of the installed package: a frame through a table to a device.
const { Namespace, RedirectTable, Verdict } = require('redirect-table');
const { addonFiles } = require('./loaded-addon.cjs');

const eth0 = Namespace.root.createDevice('cjs0', { mtu: 1500 });
const table = new RedirectTable({ maxEntries: 4 });
table.set(1, eth0.ifindex);
const verdicts = new Int32Array(2);
const delivered = table.redirect(new Uint32Array([1, 2]), new Uint32Array([7, 8]), new Uint32Array([60, 60]), verdicts);
const got = new Uint32Array(4);
const received = eth0.receive(got);
if (delivered !== 1 || verdicts[0] !== Verdict.OK || verdicts[1] !== Verdict.ENOENT || received !== 1 || got[0] !== 7) {
  throw new Error(`unexpected: delivered ${delivered}, verdicts ${verdicts}, received ${received} (${got[0]})`);
}
console.log(`cjs: ok on node ${process.version}; addon ${addonFiles().join(', ')}`);
