// RedirectTable.list() in a process of its own, where every table is one this script made:
// empty at the start, and again once every table is closed. Prints a JSON report last.
import { RedirectHashTable, RedirectTable } from '../../lib';

async function main(): Promise<void> {
  const atStart = RedirectTable.list();
  const array = new RedirectTable({ maxEntries: 2 });
  const hash = new RedirectHashTable({ maxEntries: 2 });
  const second = RedirectTable.open(hash.id);
  const whileOpen = RedirectTable.list().map((t) => t.kind);
  await Promise.all([array.close(), hash.close()]);
  const oneHandleLeft = RedirectTable.list().map((t) => t.kind);
  await second.close();
  const afterClose = RedirectTable.list();
  console.log(JSON.stringify({ atStart, whileOpen, oneHandleLeft, afterClose }));
}

void main();
