import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { Namespace, RedirectHashTable, RedirectTable, TableInfo } from '../lib';
import { runChild } from './children/run';
import { collectGarbage, uniqueName } from './helpers';

const listed = (id: number): TableInfo | undefined => RedirectTable.list().find((t) => t.id === id);

describe('RedirectTable.list()', () => {
  it('lists live tables of both kinds with their kind, size and namespace, by ascending id', async () => {
    const ns = new Namespace(uniqueName('tl'));
    const array = new RedirectTable({ maxEntries: 7 });
    const hash = new RedirectHashTable({ maxEntries: 9, namespace: ns });
    const all = RedirectTable.list();
    assert.deepEqual(
      all.filter((t) => t.id === array.id || t.id === hash.id),
      [
        { id: array.id, kind: 'array', maxEntries: 7, namespaceId: Namespace.root.id },
        { id: hash.id, kind: 'hash', maxEntries: 9, namespaceId: ns.id },
      ]
    );
    for (let i = 1; i < all.length; i += 1) assert.ok(all[i - 1].id < all[i].id, 'ascending ids');
    await Promise.all([array.close(), hash.close()]);
    await ns.destroy();
  });

  it('a table stays listed while any of its handles is open; closing the last one removes it at once', async () => {
    const table = new RedirectHashTable({ maxEntries: 4 });
    const second = RedirectTable.open(table.id);
    const closing = table.close();
    assert.equal(listed(table.id)?.kind, 'hash', 'the second handle keeps it listed');
    const last = second.close();
    assert.equal(listed(table.id), undefined, 'gone as soon as close() of the last handle returns');
    await Promise.all([closing, last]);
    assert.equal(listed(table.id), undefined);
  });

  it('a table whose only handle was dropped without close() leaves the list once collected', async () => {
    const id = ((): number => new RedirectTable({ maxEntries: 2 }).id)();
    assert.ok(listed(id) !== undefined);
    for (let round = 0; round < 20 && listed(id) !== undefined; round += 1) await collectGarbage();
    assert.equal(listed(id), undefined);
  });

  describe('tables created in a worker', () => {
    let worker: Worker | undefined;
    const start = async (): Promise<{ arrayId: number; hashId: number; namespaceId: number }> => {
      worker = new Worker(path.join(__dirname, 'workers', 'table-maker.js'));
      return (await once(worker, 'message'))[0];
    };
    afterEach(async () => {
      await worker?.terminate(); // a test that failed half-way leaves no worker behind
      worker = undefined;
    });

    it('are listed in the main thread (and open there by the listed id), and go when the worker closes them', async () => {
      const ids = await start();
      assert.deepEqual(listed(ids.arrayId), { id: ids.arrayId, kind: 'array', maxEntries: 3, namespaceId: Namespace.root.id });
      assert.deepEqual(listed(ids.hashId), { id: ids.hashId, kind: 'hash', maxEntries: 5, namespaceId: ids.namespaceId });
      const opened = RedirectTable.open(ids.hashId);
      assert.ok(opened instanceof RedirectHashTable);
      await opened.close();
      worker!.postMessage('close');
      assert.equal((await once(worker!, 'message'))[0], 'closed');
      assert.equal(listed(ids.arrayId), undefined);
      assert.equal(listed(ids.hashId), undefined);
    });

    it('go when the worker exits without closing them (its teardown releases the handles)', async () => {
      const ids = await start();
      assert.ok(listed(ids.arrayId) !== undefined && listed(ids.hashId) !== undefined);
      worker!.postMessage('exit');
      await once(worker!, 'exit');
      assert.equal(listed(ids.arrayId), undefined);
      assert.equal(listed(ids.hashId), undefined);
    });
  });

  it('is empty in a process with no table, and again after every table is closed', () => {
    const run = runChild<{ atStart: TableInfo[]; whileOpen: string[]; oneHandleLeft: string[]; afterClose: TableInfo[] }>(
      'table-list-empty'
    );
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(run.report, { atStart: [], whileOpen: ['array', 'hash'], oneHandleLeft: ['hash'], afterClose: [] });
  });
});
