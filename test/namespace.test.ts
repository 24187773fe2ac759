import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { Namespace, RedirectTable, Verdict } from '../lib';
import { assertRangeError, assertRedirectError, assertTypeError, uniqueName } from './helpers';

describe('namespaces', () => {
  it('creates namespaces with new ids, opens them by id or name, lists them', async () => {
    const name = uniqueName('ns');
    const ns = new Namespace(name);
    assert.ok(ns.id > 1);
    assert.equal(ns.name, name);
    assert.equal(ns.state, 'alive');
    assert.equal(Namespace.open(ns.id), ns);
    assert.equal(Namespace.open(name), ns);
    assert.equal(Namespace.open('root'), Namespace.root);
    assert.equal(Namespace.open(1), Namespace.root);
    const listed = Namespace.list();
    assert.ok(listed.includes(ns) && listed.includes(Namespace.root));
    assert.deepEqual(listed.map((n) => n.id), [...listed.map((n) => n.id)].sort((a, b) => a - b));
    const other = new Namespace(uniqueName('ns'));
    assert.ok(other.id > ns.id);
    await Promise.all([ns.destroy(), other.destroy()]);
  });

  it('rejects taken and invalid names, bad ids', async () => {
    const name = uniqueName('ns');
    const ns = new Namespace(name);
    assertRedirectError(() => new Namespace(name), 'EEXIST', /exists/);
    assertRedirectError(() => new Namespace('root'), 'EEXIST');
    for (const bad of ['', 'a/b', 'x'.repeat(65)]) assertRedirectError(() => new Namespace(bad), 'EINVAL');
    assertTypeError(() => new Namespace(5 as unknown as string));
    assertRedirectError(() => Namespace.open(0x7fffffff), 'ENOENT');
    assertRedirectError(() => Namespace.open('no-such-namespace'), 'ENOENT');
    assertTypeError(() => Namespace.open({} as unknown as string));
    assertRangeError(() => Namespace.open(-1));
    await ns.destroy();
    // The name is free again once destroyed.
    const again = new Namespace(name);
    assert.notEqual(again.id, ns.id);
    await again.destroy();
  });

  it('has its own ifindex space and device names', async () => {
    const a = new Namespace(uniqueName('ns'));
    const b = new Namespace(uniqueName('ns'));
    const da = a.createDevice('eth0');
    const db = b.createDevice('eth0', { mtu: 9000 });
    assert.equal(da.ifindex, 1);
    assert.equal(db.ifindex, 1);
    assert.equal(a.createDevice('eth1').ifindex, 2);
    assert.equal(da.namespace, a);
    assert.equal(db.namespace, b);
    assert.equal(a.device('eth0'), da);
    assert.equal(b.device(1), db);
    assert.equal(Namespace.root.device(da.name) === da, false);
    await Promise.all([a.destroy(), b.destroy()]);
  });

  it('tables resolve ifindexes in their own namespace', async () => {
    const ns = new Namespace(uniqueName('ns'));
    const inner = ns.createDevice('veth0', { mtu: 1400 });
    const table = new RedirectTable({ maxEntries: 8, namespace: ns });
    assert.equal(table.namespace, ns);
    assert.equal(RedirectTable.open(table.id).namespace, ns);
    table.set(0, inner.ifindex);
    assert.equal(table.get(0), 1);
    assertRedirectError(() => table.set(1, 2), 'ENODEV', /namespace/);
    const v = new Int32Array(1);
    table.redirect(new Uint32Array([0]), new Uint32Array([5]), new Uint32Array([1500]), v);
    assert.equal(v[0], Verdict.EMSGSIZE); // the namespace's device, with its MTU
    await table.close();
    await ns.destroy();
  });

  describe('destroy()', () => {
    it('unregisters every device, purges their entries, resolves when they are released', async () => {
      const ns = new Namespace(uniqueName('ns'));
      const devs = [ns.createDevice('a'), ns.createDevice('b'), ns.createDevice('c')];
      const table = new RedirectTable({ maxEntries: 4, namespace: ns });
      const rootTable = new RedirectTable({ maxEntries: 4 });
      table.set(0, devs[0].ifindex);
      table.set(1, devs[1].ifindex);
      // This thread's per-frame section stays open until the task ends, so no grace period can
      // end and the purged entries hold devs[0] and devs[1]: destroy() is still under way below.
      assert.equal(table.redirectOne(0, 1, 64), Verdict.OK);
      const done = ns.destroy();
      assert.equal(ns.destroy(), done);
      assert.equal(ns.state, 'destroying');
      assertRedirectError(() => Namespace.open(ns.id), 'ENOENT');
      assert.ok(!Namespace.list().includes(ns));
      assertRedirectError(() => ns.createDevice('d'), 'ENOENT', /destroying/);
      assertRedirectError(() => new RedirectTable({ maxEntries: 1, namespace: ns }), 'ENOENT');
      await done;
      assert.deepEqual([...table.keys()], []);
      assert.equal(ns.state, 'destroyed');
      for (const d of devs) assert.equal(d.state, 'released');
      assert.equal(devs[0].namespace, ns);
      assertRedirectError(() => table.set(0, devs[0].ifindex), 'ENODEV');
      assert.deepEqual(ns.devices(), []);
      await Promise.all([table.close(), rootTable.close()]);
      assert.equal(await ns.destroy(), undefined);
    });

    it('the root namespace cannot be destroyed', () => {
      assertRedirectError(() => Namespace.root.destroy(), 'EINVAL');
      assert.equal(Namespace.root.state, 'alive');
    });

    it('is seen by a worker that keeps creating devices in it and redirecting through its table', async function () {
      this.timeout(30_000);
      const ns = new Namespace(uniqueName('ns'));
      const table = new RedirectTable({ maxEntries: 8, namespace: ns });
      const worker = new Worker(path.join(__dirname, 'workers', 'namespace-user.js'), {
        workerData: { namespaceName: ns.name, tableId: table.id },
      });
      const messages: unknown[] = [];
      const exited = new Promise<number>((resolve, reject) => {
        worker.on('message', (m) => messages.push(m));
        worker.once('error', reject);
        worker.once('exit', resolve);
      });
      while (messages.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      await ns.destroy();
      assert.equal(await exited, 0);
      const report = messages[1] as { created: string[]; refusedWith: string; frames: number; state: string };
      assert.equal(report.refusedWith, 'ENOENT');
      assert.ok(report.created.length >= 4);
      assert.ok(report.frames > 0);
      assert.notEqual(report.state, 'alive');
      assert.deepEqual(ns.devices(), []);
      assert.deepEqual([...table.keys()], []);
      await table.close();
    });

    it('waits for devices that were already unregistering', async function () {
      this.timeout(30_000);
      const ns = new Namespace(uniqueName('ns'));
      const dev = ns.createDevice('held');
      const table = new RedirectTable({ maxEntries: 8, namespace: ns });
      for (let key = 0; key < 8; key += 1) table.set(key, dev.ifindex);
      // This worker's read-side section never closes: the purged entries keep their references.
      const worker = new Worker(path.join(__dirname, 'workers', 'endless-redirector.js'), { workerData: { tableId: table.id } });
      worker.on('error', () => undefined);
      await new Promise((resolve) => worker.once('message', resolve));
      const unregistered = dev.unregister();
      let destroyed = false;
      const destroying = ns.destroy().then(() => (destroyed = true));
      await new Promise((resolve) => setTimeout(resolve, 150));
      assert.equal(destroyed, false);
      assert.equal(dev.state, 'unregistering');
      await worker.terminate();
      await Promise.all([unregistered, destroying]);
      assert.equal(dev.state, 'released');
      await table.close();
    });

    it('an empty namespace is destroyed at once', async () => {
      const ns = new Namespace(uniqueName('ns'));
      await ns.destroy();
      assert.equal(ns.state, 'destroyed');
    });
  });
});
