import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { Device, Namespace, RedirectTable } from '../lib';
import { DEFAULT_MTU } from '../lib/constants';
import { assertRangeError, assertRedirectError, assertTypeError, uniqueName } from './helpers';

describe('device kinds and cross-namespace unregistration', () => {
  let a: Namespace;
  let b: Namespace;
  let c: Namespace;

  beforeEach(() => {
    [a, b, c] = [new Namespace(uniqueName('k')), new Namespace(uniqueName('k')), new Namespace(uniqueName('k'))];
  });

  afterEach(async () => {
    await Promise.all([a, b, c].map((ns) => ns.destroy()));
  });

  describe('veth pairs', () => {
    for (const side of ['first', 'second'] as const) {
      it(`unregistering the ${side} end (across namespaces) takes both down`, async () => {
        const [x, y] = Device.createVethPair({ namespace: a, name: 'veth0' }, { namespace: b, name: 'veth1', mtu: 9000 });
        assert.deepEqual([x.kind, y.kind], ['veth', 'veth']);
        assert.equal(x.namespace, a);
        assert.equal(y.namespace, b);
        assert.equal(x.peer, y);
        assert.equal(y.peer, x);
        assert.equal(y.mtu, 9000); // each end has its own options
        assert.equal(x.mtu, DEFAULT_MTU);
        const [gone, other] = side === 'first' ? [x, y] : [y, x];
        const table = new RedirectTable({ maxEntries: 2, namespace: other.namespace });
        table.set(0, other.ifindex);
        await gone.unregister();
        assert.equal(other.peer, undefined);
        // Resolves once both ends are released.
        assert.equal(gone.state, 'released');
        assert.equal(other.state, 'released');
        assert.equal(table.get(0), undefined);
        await table.close();
      });
    }

    it('both ends unregistered at once from two threads: each goes exactly once', async function () {
      this.timeout(30_000);
      for (let round = 0; round < 10; round += 1) {
        const [x, y] = Device.createVethPair({ namespace: a, name: `p${round}` }, { namespace: b, name: `q${round}` });
        const barrier = new Int32Array(new SharedArrayBuffer(4));
        const worker = new Worker(path.join(__dirname, 'workers', 'veth-end.js'), {
          workerData: { namespaceName: b.name, deviceName: y.name, barrier },
        });
        const state = new Promise((resolve, reject) => {
          worker.once('message', resolve);
          worker.once('error', reject);
        });
        while (Atomics.load(barrier, 0) < 1) await new Promise((resolve) => setTimeout(resolve, 1));
        Atomics.add(barrier, 0, 1);
        Atomics.notify(barrier, 0);
        await x.unregister();
        assert.equal(await state, 'released');
        assert.equal(x.state, 'released');
        assert.equal(y.state, 'released');
        await worker.terminate();
      }
    });

    it('is created whole or not at all', () => {
      a.createDevice('taken');
      assertRedirectError(() => Device.createVethPair({ namespace: b, name: 'v0' }, { namespace: a, name: 'taken' }), 'EEXIST');
      assert.equal(b.device('v0'), undefined);
      assertRedirectError(() => Device.createVethPair({ namespace: a, name: 'same' }, { namespace: a, name: 'same' }), 'EEXIST');
      assertRedirectError(() => Device.createVethPair({ namespace: a, name: 'ok' }, { namespace: b, name: 'bad/name' }), 'EINVAL');
      assert.equal(a.device('ok'), undefined);
      assertTypeError(() => Device.createVethPair({ namespace: {} as Namespace, name: 'x' }, { namespace: b, name: 'y' }));
      assertTypeError(() => Device.createVethPair(null as never, { namespace: b, name: 'y' }));
      const [x, y] = Device.createVethPair({ namespace: a, name: 'in0' }, { namespace: a, name: 'in1' });
      assert.equal(x.namespace, y.namespace);
    });
  });

  describe('stacked devices', () => {
    it('removing the lower takes its uppers in two other namespaces, and completes after them', async () => {
      const lower = a.createDevice('eth0');
      const u1 = lower.createUpper('ipvlan', { namespace: b, name: 'ipvl0' });
      const u2 = lower.createUpper('macvlan', { namespace: c, name: 'macvl0' });
      const u3 = lower.createUpper('macvlan', { name: 'macvl1' });
      assert.deepEqual([u1.kind, u2.kind, u3.kind], ['ipvlan', 'macvlan', 'macvlan']);
      assert.equal(u3.namespace, a);
      assert.equal(u1.lower, lower);
      assert.equal(lower.lower, undefined);
      assert.equal(lower.usageCount, 4); // its registration + three uppers
      const tb = new RedirectTable({ maxEntries: 1, namespace: b });
      tb.set(0, u1.ifindex);
      await lower.unregister();
      for (const d of [lower, u1, u2, u3]) assert.equal(d.state, 'released');
      assert.equal(tb.get(0), undefined);
      assert.equal(b.device('ipvl0'), undefined);
      await tb.close();
    });

    it('an upper alone goes without its lower; a lower going away refuses new uppers', async () => {
      const lower = a.createDevice('eth1');
      const upper = lower.createUpper('ipvlan', { namespace: b, name: 'up0' });
      await upper.unregister();
      assert.equal(lower.usageCount, 1);
      assert.equal(lower.state, 'registered');
      const done = lower.unregister();
      assertRedirectError(() => lower.createUpper('ipvlan', { name: 'late' }), 'ENODEV');
      await done;
      assertRangeError(() => a.createDevice('eth2').createUpper('vxlan' as 'ipvlan', { name: 'x' }), 'ERR_INVALID_ARG_VALUE');
      assertRedirectError(() => a.device('eth2')?.createUpper('ipvlan', { name: 'eth2' }), 'EEXIST');
    });
  });

  describe('tunnels', () => {
    it('destroying the backend namespace unregisters the tunnel in its own namespace', async () => {
      const tunnel = a.createTunnel('tun0', { backend: b, mtu: 1400 });
      assert.equal(tunnel.kind, 'tunnel');
      assert.equal(tunnel.namespace, a);
      assert.equal(tunnel.mtu, 1400);
      assert.equal(tunnel.backend, b);
      assert.equal(a.createDevice('plain0').backend, undefined);
      const table = new RedirectTable({ maxEntries: 1, namespace: a });
      table.set(0, tunnel.ifindex);
      await b.destroy();
      assert.equal(tunnel.state, 'released');
      assert.equal(a.device('tun0'), undefined);
      assert.equal(table.get(0), undefined);
      assert.equal(a.state, 'alive');
      await table.close();
    });

    it('rejects its own namespace or a destroyed one as backend; an unregistered tunnel is forgotten', async () => {
      assertRedirectError(() => a.createTunnel('t', { backend: a }), 'EINVAL', /another namespace/);
      const gone = new Namespace(uniqueName('k'));
      const destroyed = gone.destroy();
      assertRedirectError(() => a.createTunnel('t', { backend: gone }), 'ENOENT', /backend/);
      await destroyed;
      const tunnel = a.createTunnel('t2', { backend: c });
      await tunnel.unregister();
      await c.destroy(); // nothing left to take down
      assertTypeError(() => a.createTunnel('t3', { backend: {} as Namespace }));
    });
  });

  it('destroy() resolves only after the cross-namespace work it caused finished', async () => {
    const lower = a.createDevice('eth0');
    const uppers = [lower.createUpper('ipvlan', { namespace: b, name: 'u0' }), lower.createUpper('macvlan', { namespace: c, name: 'u1' })];
    const [, peer] = Device.createVethPair({ namespace: a, name: 'v0' }, { namespace: c, name: 'v1' });
    const tunnel = b.createTunnel('t0', { backend: a });
    await a.destroy();
    for (const d of [lower, ...uppers, peer, tunnel]) assert.equal(d.state, 'released', `${d.name} is ${d.state}`);
    assert.deepEqual(b.devices(), []);
    assert.deepEqual(c.devices(), []);
  });
});
