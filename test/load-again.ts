// The package loaded again into the calling thread: a second instance of lib/ (a cleared require
// cache) and a third of the addon alone (process.dlopen), each with its own environment state.
import * as path from 'node:path';
import type { native as Native } from '../lib/native';

type Lib = typeof import('../lib');

export function loadAgain(): { lib: Lib; native: typeof Native; raw: typeof Native } {
  const libDir = path.join(__dirname, '..', 'lib');
  for (const file of Object.keys(require.cache)) {
    if (file.startsWith(libDir) || file.endsWith('.node')) delete require.cache[file];
  }
  const lib = require(libDir) as Lib;
  const native = (require(path.join(libDir, 'native')) as typeof import('../lib/native')).native;
  const raw = { exports: {} as typeof Native };
  process.dlopen(raw, path.join(__dirname, '..', '..', 'build', 'Release', 'redirect_table.node'));
  return { lib, native, raw: raw.exports };
}
