// A worker that holds a table's handles and its view of the slot memory (an internal native
// handle's `slots`), and does what the parent tells it, one command at a time, answering each:
// the slot-reads lifetime scenarios (test/children/slot-lifetime.ts) drive it.
import { parentPort, workerData } from 'node:worker_threads';
import { RedirectTable } from '../../lib';
import { native, NativeTableHandle } from '../../lib/native';
import { loadAgain } from '../load-again';

export type HolderCommand =
  | { op: 'read'; keys: number[] }
  | { op: 'set'; key: number; ifindex: number }
  | { op: 'close' }
  | { op: 'view' }
  | { op: 'drop' }
  | { op: 'spin'; key: number }
  | { op: 'load-twice'; key: number }
  | { op: 'exit' };

export interface HolderReads {
  /** get(key) of the handle (null for undefined). */
  get: (number | null)[];
  /** The view's ifindex word of each key. */
  view: number[];
}

const { tableId } = workerData as { tableId: number };
let table: RedirectTable | undefined = RedirectTable.open(tableId);
let handle: NativeTableHandle | undefined = native.openTable(tableId);
let view: Int32Array | undefined = handle.slots;
// Other package instances loaded into this worker ('load-twice'): kept until the worker ends.
const kept: unknown[] = [];

const gc = (globalThis as { gc?: () => void }).gc;
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function nonzeroWords(v: Int32Array | undefined): number {
  let n = 0;
  if (v !== undefined) for (const word of v) n += word === 0 ? 0 : 1;
  return n;
}

async function run(command: HolderCommand): Promise<unknown> {
  switch (command.op) {
    case 'read':
      return {
        get: command.keys.map((key) => table!.get(key) ?? null),
        view: command.keys.map((key) => view![4 * key + 2]),
      } satisfies HolderReads;
    case 'set':
      return table!.set(command.key, command.ifindex);
    case 'close':
      await Promise.all([table!.close(), handle!.close()]);
      return 'closed';
    case 'view':
      return { length: view?.length ?? null, nonzero: nonzeroWords(view) };
    case 'drop':
      table = undefined;
      handle = undefined;
      view = undefined;
      for (let i = 0; i < 5; i += 1) {
        gc!();
        await turn();
      }
      return 'dropped';
    case 'spin': {
      const { get } = table!;
      const { key } = command;
      parentPort!.postMessage('spinning');
      for (;;) get(key); // until terminated
    }
    case 'load-twice': {
      // A second instance of the package (cleared require cache) and a third of the addon
      // alone (process.dlopen), each its own environment of the addon in this thread.
      const { lib: second, native: secondNative, raw: rawNative } = loadAgain();
      const t2 = second.RedirectTable.open(tableId);
      const h2 = secondNative.openTable(tableId);
      const h3 = rawNative.openTable(tableId);
      kept.push(t2, h2, h3, h2.slots, h3.slots);
      const views = [view, h2.slots, h3.slots];
      return {
        distinct: second.RedirectTable !== RedirectTable && new Set(views).size === 3 && views.every((v) => v instanceof Int32Array),
        get: [table!.get(command.key) ?? null, t2.get(command.key) ?? null, h3.get(command.key) ?? null],
        view: views.map((v) => v![4 * command.key + 2]),
      };
    }
    case 'exit':
      process.exit(0); // with whatever it still holds
  }
}

parentPort!.on('message', (command: HolderCommand) => {
  run(command).then(
    (result) => parentPort!.postMessage({ ok: result }),
    (error: Error) => parentPort!.postMessage({ error: `${error.stack ?? error}` })
  );
});
parentPort!.postMessage({ ok: { hasView: view instanceof Int32Array, length: view?.length ?? null } });
