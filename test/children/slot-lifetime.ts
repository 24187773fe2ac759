// Child process (node --expose-gc): one lifetime scenario of an array table's slot memory and
// its views (lib/slot-reads.ts, addon/napi/slot_view.*), named by argv[2]. A view read after
// the memory was freed would crash (4096 slots are 64 KiB: mmap'd, unmapped when freed), so the
// scenarios run here rather than in mocha's process. Prints one JSON line: the checks made and
// the ones that failed.
import * as path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { Worker } from 'node:worker_threads';
import { memoryUsage, Namespace, RedirectTable } from '../../lib';
import { native } from '../../lib/native';
import type { HolderCommand, HolderReads } from '../workers/slot-holder';
import { loadAgain } from '../load-again';

export interface LifetimeReport {
  checks: string[];
  failures: string[];
}

const N = 4096;
const SLOT_BYTES = N * 16;
const report: LifetimeReport = { checks: [], failures: [] };

function check(name: string, actual: unknown, expected: unknown): void {
  report.checks.push(name);
  if (!isDeepStrictEqual(actual, expected)) report.failures.push(`${name}: got ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`);
}

const gc = (globalThis as { gc?: () => void }).gc!;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** memoryUsage().tables after collecting garbage (finalizers run on a later turn) until it
 * stops moving; every figure seen is kept for the never-below check. */
const seen: number[] = [];
async function settledTables(): Promise<number> {
  let last = -1;
  let same = 0;
  for (let i = 0; i < 200 && same < 3; i += 1) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
    await sleep(5);
    const now = memoryUsage().tables;
    seen.push(now);
    same = now === last ? same + 1 : 0;
    last = now;
  }
  return last;
}

function nonzeroWords(view: Int32Array): number {
  let n = 0;
  for (const word of view) n += word === 0 ? 0 : 1;
  return n;
}

function errorCode(fn: () => unknown): unknown {
  try {
    return { returned: fn() };
  } catch (error) {
    return (error as { code?: unknown }).code;
  }
}

const listed = (id: number): boolean => RedirectTable.list().some((t) => t.id === id);

/** A slot-holder worker and a way to give it commands. */
class Holder {
  readonly worker: Worker;
  readonly exited: Promise<number>;
  private readonly replies: unknown[] = [];
  private waiting: ((reply: unknown) => void) | undefined;

  constructor(tableId: number) {
    this.worker = new Worker(path.join(__dirname, '..', 'workers', 'slot-holder.js'), { workerData: { tableId } });
    this.exited = new Promise((resolve) => this.worker.once('exit', resolve));
    this.worker.on('message', (reply) => {
      if (this.waiting) {
        const waiting = this.waiting;
        this.waiting = undefined;
        waiting(reply);
      } else {
        this.replies.push(reply);
      }
    });
    this.worker.on('error', (error) => report.failures.push(`worker error: ${error.stack}`));
  }

  /** The next message of the worker. */
  next(): Promise<unknown> {
    if (this.replies.length > 0) return Promise.resolve(this.replies.shift());
    return new Promise((resolve) => {
      this.waiting = resolve;
    });
  }

  async ready(): Promise<unknown> {
    return ((await this.next()) as { ok: unknown }).ok;
  }

  async run(command: HolderCommand): Promise<unknown> {
    this.worker.postMessage(command);
    const reply = (await this.next()) as { ok?: unknown; error?: string };
    if (reply.error !== undefined) throw new Error(`worker: ${reply.error}`);
    return reply.ok;
  }

  async exit(): Promise<number> {
    this.worker.postMessage({ op: 'exit' } satisfies HolderCommand);
    return this.exited;
  }
}

const scenarios: Record<string, () => Promise<void>> = {
  // close() in one thread never invalidates another thread's view; once every handle is closed
  // and the table freed, every surviving view reads empty.
  async 'close-elsewhere'() {
    const [d1, d2] = [Namespace.root.createDevice('zl1'), Namespace.root.createDevice('zl2')];
    const table = new RedirectTable({ maxEntries: N });
    const handle = native.openTable(table.id);
    const view = handle.slots!;
    table.set(1, d1.ifindex);
    table.set(N - 1, d2.ifindex);
    const holder = new Holder(table.id);
    check('the worker has a view', await holder.ready(), { hasView: true, length: 4 * N });

    await Promise.all([table.close(), handle.close()]);
    gc();
    check('the table lives on after the main thread closed its handles', listed(table.id), true);
    check('get of the main thread after its close', errorCode(() => table.get(1)), 'EBADF');
    check('the worker reads after the main thread closed', await holder.run({ op: 'read', keys: [1, N - 1, 2] }), {
      get: [d1.ifindex, d2.ifindex, null],
      view: [d1.ifindex, d2.ifindex, 0],
    } satisfies HolderReads);
    await holder.run({ op: 'set', key: 2, ifindex: d2.ifindex });
    check('the worker reads its own write', await holder.run({ op: 'read', keys: [2] }), { get: [d2.ifindex], view: [d2.ifindex] });
    check("the main thread's view (its handles closed) sees the worker's write", [view[4 * 1 + 2], view[4 * 2 + 2]], [d1.ifindex, d2.ifindex]);

    await holder.run({ op: 'close' }); // the last handle: the table is freed
    check('the table is gone once every handle is closed', listed(table.id), false);
    check("the main thread's surviving view reads empty", nonzeroWords(view), 0);
    check("the worker's surviving view reads empty", await holder.run({ op: 'view' }), { length: 4 * N, nonzero: 0 });
    check('the worker exits', await holder.exit(), 0);
    gc();
    await sleep(10);
    check('the view still reads empty after the worker exited', [view.length, nonzeroWords(view)], [4 * N, 0]);
    await Promise.all([d1.unregister(), d2.unregister()]);
  },

  // The slot memory is counted under `tables` until the last of the table and its views lets
  // go, whatever the order, and uncounted exactly once.
  async accounting() {
    const baseline = await settledTables();
    for (const order of ['main view last', 'worker view last (gc)', 'worker view last (exit)', 'worker view last (terminate)']) {
      let table: RedirectTable | undefined = new RedirectTable({ maxEntries: N });
      const id = table.id;
      let handle = native.openTable(id) as ReturnType<typeof native.openTable> | undefined;
      const held = memoryUsage().tables - baseline;
      check(`${order}: the table counts its slots`, held >= SLOT_BYTES, true);
      const holder = new Holder(id);
      check(`${order}: the worker has a view`, await holder.ready(), { hasView: true, length: 4 * N });
      await holder.run({ op: 'close' });
      await Promise.all([table.close(), handle!.close()]);
      check(`${order}: freed table`, listed(id), false);
      let now = (await settledTables()) - baseline;
      check(`${order}: the slots stay counted (not the table) while both views live`, now >= SLOT_BYTES && now < held, true);

      const dropMain = async (): Promise<void> => {
        table = undefined;
        handle = undefined;
        now = (await settledTables()) - baseline;
      };
      if (order === 'main view last') {
        await holder.run({ op: 'drop' });
        now = (await settledTables()) - baseline;
        check(`${order}: still counted after the worker's view was collected`, now >= SLOT_BYTES, true);
        await dropMain();
        await holder.exit();
      } else {
        await dropMain();
        check(`${order}: still counted after the main thread's view was collected`, now >= SLOT_BYTES, true);
        if (order === 'worker view last (gc)') {
          await holder.run({ op: 'drop' });
          await holder.exit();
        } else if (order === 'worker view last (exit)') {
          await holder.exit(); // the environment's teardown releases the view it holds
        } else {
          await holder.worker.terminate();
        }
      }
      now = (await settledTables()) - baseline;
      check(`${order}: back to the starting figure`, now, 0);
    }
    await sleep(50);
    check('still at the starting figure later', (await settledTables()) - baseline, 0);
    check('never below the starting figure', Math.min(...seen) >= baseline, true);
  },

  // Workers that exit (one without closing its handle) or are terminated while spinning on get
  // leave the main thread's reads working.
  async 'workers-gone'() {
    const baseline = await settledTables();
    const [d1, d2] = [Namespace.root.createDevice('zw1'), Namespace.root.createDevice('zw2')];
    let table: RedirectTable | undefined = new RedirectTable({ maxEntries: N });
    const id = table.id;
    let handle = native.openTable(id) as ReturnType<typeof native.openTable> | undefined;
    table.set(1, d1.ifindex);

    const spinner = new Holder(id);
    await spinner.ready();
    spinner.worker.postMessage({ op: 'spin', key: 1 } satisfies HolderCommand);
    check('the spinner spins', await spinner.next(), 'spinning');
    await sleep(50);
    await spinner.worker.terminate();
    check('after a terminated spinner: get', table.get(1), d1.ifindex);
    const cachedView = async (): Promise<boolean> => {
      const probe = native.openTable(id); // dropped on return: it holds the view too
      const same = probe.slots === handle!.slots;
      await probe.close();
      return same;
    };
    check('after a terminated spinner: the view is the one cached', await cachedView(), true);
    table.set(1, d2.ifindex);
    check('after a terminated spinner: get sees a new set', [table.get(1), handle!.slots![6]], [d2.ifindex, d2.ifindex]);

    const leaver = new Holder(id);
    await leaver.ready();
    check('a worker reads', await leaver.run({ op: 'read', keys: [1] }), { get: [d2.ifindex], view: [d2.ifindex] });
    check('it exits without closing its handle', await leaver.exit(), 0);
    check('after an exited worker: get', table.get(1), d2.ifindex);
    table.delete(1);
    check('after an exited worker: get sees a delete', [table.get(1), table.entry(1), handle!.slots![6]], [undefined, undefined, 0]);
    table.set(2, d1.ifindex);
    check('after an exited worker: get sees a set', table.get(2), d1.ifindex);

    await Promise.all([table.close(), handle!.close()]);
    check('the workers let their handles go: the table is freed with the last of ours', listed(id), false);
    table = undefined;
    handle = undefined;
    check('every byte back', (await settledTables()) - baseline, 0);
    check('never below the starting figure', Math.min(...seen) >= baseline, true);
    await Promise.all([d1.unregister(), d2.unregister()]);
  },

  // The addon loaded again into one environment (cleared require cache, process.dlopen), in
  // the main thread and in a worker: each instance has its own view of the same memory.
  async 'loaded-twice'() {
    const baseline = await settledTables();
    const dev = Namespace.root.createDevice('zt1');
    const { lib: second, native: secondNative, raw: rawNative } = loadAgain();

    let first: RedirectTable | undefined = new RedirectTable({ maxEntries: N });
    const id = first.id;
    let firstHandle = native.openTable(id) as ReturnType<typeof native.openTable> | undefined;
    let t2: RedirectTable | undefined = second.RedirectTable.open(id);
    let h2 = secondNative.openTable(id) as ReturnType<typeof native.openTable> | undefined;
    let h3 = rawNative.openTable(id) as ReturnType<typeof native.openTable> | undefined;
    const views = [firstHandle!.slots, h2!.slots, h3!.slots];
    check('three instances, three views', [second.RedirectTable !== RedirectTable, new Set(views).size, views.every((v) => v instanceof Int32Array)], [true, 3, true]);

    first.set(1, dev.ifindex);
    check('a set through the first is read by the others', [t2.get(1), h3!.get(1), ...views.map((v) => v![6])], [dev.ifindex, dev.ifindex, ...views.map(() => dev.ifindex)]);
    t2.set(2, dev.ifindex);
    check('a set through the second is read by the first', [first.get(2), first.entry(2)?.ifindex], [dev.ifindex, dev.ifindex]);

    const holder = new Holder(id);
    await holder.ready();
    check('a worker loads it twice too', await holder.run({ op: 'load-twice', key: 2 }), {
      distinct: true,
      get: [dev.ifindex, dev.ifindex, dev.ifindex],
      view: [dev.ifindex, dev.ifindex, dev.ifindex],
    });
    check('and exits holding all of it', await holder.exit(), 0);

    await Promise.all([first.close(), firstHandle!.close()]);
    first = undefined;
    firstHandle = undefined;
    views[0] = undefined;
    await settledTables();
    t2.delete(1);
    h3!.set(3, dev.ifindex);
    check('the second instance reads right after the first let go', [t2.get(1), t2.get(2), t2.get(3), t2.entry(1)], [undefined, dev.ifindex, dev.ifindex, undefined]);
    await Promise.all([t2.close(), h2!.close(), h3!.close()]);
    t2 = h2 = h3 = undefined;
    check('the table is gone', listed(id), false);
    check('the surviving views read empty', views.map((v) => (v === undefined ? null : nonzeroWords(v))), [null, 0, 0]);
    views.length = 0;
    check('every byte back', (await settledTables()) - baseline, 0);
    check('never below the starting figure', Math.min(...seen) >= baseline, true);
    await dev.unregister();
  },
};

async function main(): Promise<void> {
  const scenario = scenarios[process.argv[2]];
  if (scenario === undefined) throw new Error(`no scenario ${process.argv[2]}`);
  assert(typeof gc === 'function', 'run with --expose-gc');
  await scenario();
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

function assert(ok: boolean, message: string): void {
  if (!ok) throw new Error(message);
}

main().catch((error) => {
  process.stderr.write(`${error?.stack ?? error}\n`);
  process.exit(1);
});
