import * as assert from 'node:assert/strict';
import { Namespace, RedirectTable } from '../lib';
import { assertRedirectError, assertTypeError, uniqueName } from './helpers';

describe('Device.moveTo()', () => {
  let a: Namespace;
  let b: Namespace;

  beforeEach(() => {
    a = new Namespace(uniqueName('mv'));
    b = new Namespace(uniqueName('mv'));
  });

  afterEach(async () => {
    await Promise.all([a.destroy(), b.destroy()]);
  });

  it('keeps the ifindex when it is free in the target', () => {
    a.createDevice('x0');
    const dev = a.createDevice('x1'); // ifindex 2
    dev.moveTo(b);
    assert.equal(dev.ifindex, 2);
    assert.equal(dev.namespace, b);
    assert.equal(dev.name, 'x1');
    assert.equal(b.device(2), dev);
    assert.equal(b.device('x1'), dev);
    assert.equal(a.device('x1'), undefined);
    assert.equal(a.device(2), undefined);
    assert.equal(dev.state, 'registered');
  });

  it('gets a new ifindex when its own is taken in the target, and can be renamed', () => {
    const dev = a.createDevice('y0'); // ifindex 1 in a
    const taken = b.createDevice('y0'); // ifindex 1 in b, same name
    assertRedirectError(() => dev.moveTo(b), 'EEXIST', /taken/);
    assert.equal(dev.namespace, a);
    dev.moveTo(b, { name: 'y1' });
    assert.equal(dev.name, 'y1');
    assert.equal(dev.ifindex, 2);
    assert.notEqual(dev.ifindex, taken.ifindex);
    // Its old ifindex and name are free in the source again.
    assert.equal(a.createDevice('y0').ifindex, 2); // cyclic allocation goes on from 2
  });

  it('purges the device from every table (its Promise resolves once done), and the target can use it at once', async () => {
    const dev = a.createDevice('z0');
    const ta = new RedirectTable({ maxEntries: 4, namespace: a });
    const tb = new RedirectTable({ maxEntries: 4, namespace: b });
    ta.set(0, dev.ifindex);
    ta.set(1, dev.ifindex);
    const purged = dev.moveTo(b);
    assert.ok(purged instanceof Promise);
    assertRedirectError(() => ta.set(0, dev.ifindex), 'ENODEV'); // at once: unlisted from a
    tb.set(3, dev.ifindex);
    assert.equal(await purged, undefined);
    assert.deepEqual([...ta.keys()], []);
    assert.equal(tb.get(3), dev.ifindex); // resolved after the move: not purged
    assert.equal(tb.redirect(new Uint32Array([3]), new Uint32Array([9]), new Uint32Array([64])), 1);
    const ids = new Uint32Array(4);
    assert.equal(dev.receive(ids), 1);
    assert.equal(ids[0], 9);
    await Promise.all([ta.close(), tb.close()]);
  });

  it('refuses netns-local devices, unregistering devices, destroyed targets and bad arguments', async () => {
    const local = a.createDevice('lo', { netnsLocal: true });
    assertRedirectError(() => local.moveTo(b), 'EINVAL', /netns-local/);
    const dev = a.createDevice('w0');
    assertRedirectError(() => dev.moveTo(b, { name: 'bad/name' }), 'EINVAL');
    assertTypeError(() => dev.moveTo({} as Namespace));
    assertTypeError(() => dev.moveTo(b, { name: 5 as unknown as string }));
    const gone = new Namespace(uniqueName('mv'));
    const destroyed = gone.destroy();
    assertRedirectError(() => dev.moveTo(gone), 'ENOENT');
    await destroyed;
    const leaving = a.createDevice('w1');
    const done = leaving.unregister();
    assertRedirectError(() => leaving.moveTo(b), 'ENODEV');
    await done;
    dev.moveTo(a); // its own namespace: nothing happens
    assert.equal(dev.namespace, a);
    assert.equal(dev.ifindex, a.device('w0')?.ifindex);
  });

  it('moves back and forth and unregisters from wherever it is', async () => {
    const dev = a.createDevice('v0');
    for (let i = 0; i < 5; i += 1) {
      dev.moveTo(i % 2 === 0 ? b : a);
    }
    assert.equal(dev.namespace, b);
    await dev.unregister();
    assert.equal(dev.state, 'released');
    assert.equal(b.device('v0'), undefined);
  });

  it('a destroyed source namespace refuses moves out of it', async () => {
    const c = new Namespace(uniqueName('mv'));
    const dev = c.createDevice('u0');
    const done = c.destroy();
    assertRedirectError(() => dev.moveTo(b), 'ENODEV');
    await done;
    assert.equal(dev.state, 'released');
  });
});
