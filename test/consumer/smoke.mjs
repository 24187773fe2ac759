// ES module consumer of the installed package: named imports of a CommonJS package.
import { Namespace, RedirectHashTable, Verdict, memoryUsage, RedirectError } from 'redirect-table';
import loaded from './loaded-addon.cjs';

const eth0 = Namespace.root.createDevice('esm0', { mtu: 1500 });
const table = new RedirectHashTable({ maxEntries: 4 });
table.set(1_000_000, eth0.ifindex);
const verdict = table.redirectOne(1_000_000, 9, 60);
table.flush();
const got = new Uint32Array(4);
if (verdict !== Verdict.OK || eth0.receive(got) !== 1 || got[0] !== 9 || !(memoryUsage().total > 0)) {
  throw new Error(`unexpected: verdict ${verdict}, frame ${got[0]}`);
}
let code;
try {
  table.compareAndDelete(5, 1);
} catch (error) {
  code = error instanceof RedirectError ? error.code : String(error);
}
if (code !== 'ENOENT') throw new Error(`compareAndDelete of an absent key: ${code}`);
console.log(`esm: ok on node ${process.version}; addon ${loaded.addonFiles().join(', ')}`);
