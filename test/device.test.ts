import * as assert from 'node:assert/strict';
import { Device, Namespace, RedirectError, RedirectTable } from '../lib';
import { DEFAULT_MTU } from '../lib/constants';
import { assertRangeError, assertRedirectError, assertTypeError, createDevice, uniqueName } from './helpers';

describe('Namespace.root and devices', () => {
  it('root namespace has id 1, name root, and is one object', () => {
    assert.equal(Namespace.root.id, 1);
    assert.equal(Namespace.root.name, 'root');
    assert.equal(Namespace.root, Namespace.root);
  });

  it('creates devices with defaults and increasing ifindexes', async () => {
    const a = createDevice();
    const b = createDevice({ mtu: 9000, up: false });
    assert.ok(a.ifindex >= 1);
    assert.ok(b.ifindex > a.ifindex);
    assert.equal(a.mtu, DEFAULT_MTU);
    assert.equal(a.isUp, true);
    assert.equal(b.mtu, 9000);
    assert.equal(b.isUp, false);
    assert.equal(a.state, 'registered');
    assert.equal(a.usageCount, 1);
    assert.equal(a.namespace, Namespace.root);
    await Promise.all([a.unregister(), b.unregister()]);
  });

  it('finds a device by ifindex and by name, as the same object', async () => {
    const name = uniqueName();
    const dev = Namespace.root.createDevice(name);
    assert.equal(Namespace.root.device(dev.ifindex), dev);
    assert.equal(Namespace.root.device(name), dev);
    assert.ok(Namespace.root.devices().includes(dev));
    assert.equal(Namespace.root.device(0x7fffffff), undefined);
    assert.equal(Namespace.root.device('no-such-dev'), undefined);
    await dev.unregister();
    assert.equal(Namespace.root.device(name), undefined);
    assert.equal(Namespace.root.device(dev.ifindex), undefined);
    assert.ok(!Namespace.root.devices().includes(dev));
  });

  it('lists devices by ascending ifindex', async () => {
    const devs = [createDevice(), createDevice(), createDevice()];
    const listed = Namespace.root.devices().map((d) => d.ifindex);
    assert.deepEqual(listed, [...listed].sort((x, y) => x - y));
    for (const d of devs) assert.ok(listed.includes(d.ifindex));
    await Promise.all(devs.map((d) => d.unregister()));
  });

  it('rejects a taken name with EEXIST and invalid names with EINVAL', async () => {
    const name = uniqueName();
    const dev = Namespace.root.createDevice(name);
    const before = Namespace.root.devices().length;
    assertRedirectError(() => Namespace.root.createDevice(name), 'EEXIST', /exists/);
    for (const bad of ['', '.', '..', 'a/b', 'a:b', 'a b', 'tab\there', 'x'.repeat(16), 'nul\0']) {
      assertRedirectError(() => Namespace.root.createDevice(bad), 'EINVAL');
    }
    assert.equal(Namespace.root.devices().length, before);
    await dev.unregister();
    // The name is free again once the device left the namespace.
    const again = Namespace.root.createDevice(name);
    assert.notEqual(again, dev);
    await again.unregister();
  });

  it('rejects bad argument types and ranges', () => {
    const before = Namespace.root.devices().length;
    assertTypeError(() => Namespace.root.createDevice(7 as unknown as string));
    assertTypeError(() => Namespace.root.createDevice(uniqueName(), null as unknown as object));
    assertTypeError(() => Namespace.root.createDevice(uniqueName(), { mtu: '1500' as unknown as number }));
    assertTypeError(() => Namespace.root.createDevice(uniqueName(), { up: 1 as unknown as boolean }));
    for (const mtu of [67, 65536, 1500.5, NaN, -1]) {
      assertRangeError(() => Namespace.root.createDevice(uniqueName(), { mtu }));
    }
    assertTypeError(() => Namespace.root.device({} as unknown as string));
    assertRangeError(() => Namespace.root.device(-1));
    assertRangeError(() => Namespace.root.device(1.5));
    assert.equal(Namespace.root.devices().length, before);
  });

  it('cannot be constructed directly', () => {
    const DeviceClass = Device as unknown as new (...args: unknown[]) => Device;
    assertTypeError(() => new DeviceClass(Symbol('x'), {}));
  });

  it('goes up and down and changes MTU', async () => {
    const dev = createDevice();
    dev.down();
    assert.equal(dev.isUp, false);
    dev.up();
    assert.equal(dev.isUp, true);
    dev.setMtu(9000);
    assert.equal(dev.mtu, 9000);
    assertRangeError(() => dev.setMtu(40));
    assertTypeError(() => dev.setMtu('9000' as unknown as number));
    assert.equal(dev.mtu, 9000);
    await dev.unregister();
  });

  describe('unregister()', () => {
    it('leaves the namespace at once, resolves when released, is idempotent', async () => {
      const dev = createDevice();
      const ifindex = dev.ifindex;
      const first = dev.unregister();
      assert.equal(dev.unregister(), first);
      assert.notEqual(dev.state, 'registered');
      assert.equal(Namespace.root.device(ifindex), undefined);
      await first;
      assert.equal(dev.state, 'released');
      assert.equal(dev.usageCount, 0);
      // The handle still answers.
      assert.equal(dev.ifindex, ifindex);
      assert.match(dev.name, /^t/);
    });

    it('keeps resolving after completion; the device is gone from listings', async () => {
      const dev = createDevice();
      const p1 = dev.unregister();
      assert.equal(Namespace.root.devices().includes(dev), false);
      await p1;
      assert.equal(await dev.unregister(), undefined);
    });

    it('makes up/down/setMtu fail with ENODEV', async () => {
      const dev = createDevice();
      const done = dev.unregister();
      assertRedirectError(() => dev.up(), 'ENODEV');
      assertRedirectError(() => dev.down(), 'ENODEV');
      assertRedirectError(() => dev.setMtu(1400), 'ENODEV');
      await done;
      assertRedirectError(() => dev.up(), 'ENODEV', /released/);
    });

    it('purges every table entry that references the device, in every table', async () => {
      const dev = createDevice();
      const other = createDevice();
      const t1 = new RedirectTable({ maxEntries: 16 });
      const t2 = new RedirectTable({ maxEntries: 4 });
      t1.set(1, dev.ifindex);
      t1.set(2, other.ifindex);
      t1.set(3, dev.ifindex);
      t2.set(0, dev.ifindex);
      assert.equal(dev.usageCount, 4);
      const done = dev.unregister();
      // Unlisted at once; purged by the purge worker, the references dropping a grace period later.
      assertRedirectError(() => t1.set(5, dev.ifindex), 'ENODEV');
      await done;
      assert.equal(t1.get(1), undefined);
      assert.equal(t1.get(3), undefined);
      assert.equal(t2.get(0), undefined);
      assert.equal(t1.get(2), other.ifindex);
      assert.equal(dev.usageCount, 0);
      assert.deepEqual([...t1.keys()], [2]);
      assert.equal(other.usageCount, 2);
      await Promise.all([t1.close(), t2.close()]);
      assert.equal(other.usageCount, 1);
      await other.unregister();
    });

    it('completes while JS handles of the device are alive', async () => {
      const dev = createDevice();
      const again = Namespace.root.device(dev.ifindex);
      assert.equal(again, dev);
      await dev.unregister();
      assert.equal(dev.state, 'released');
    });
  });

  it('RedirectError carries code and negative errno', () => {
    const error = new RedirectError('ENODEV', 'gone');
    assert.equal(error.name, 'RedirectError');
    assert.equal(error.code, 'ENODEV');
    assert.equal(error.errno, -19);
    assert.ok(error instanceof Error);
  });
});
