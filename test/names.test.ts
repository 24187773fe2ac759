import * as assert from 'node:assert/strict';
import { Device, Namespace } from '../lib';
import { assertRedirectError, uniqueName } from './helpers';

// Names are well-formed Unicode: a string with a lone surrogate cannot be encoded as UTF-8, and
// replacing the surrogate (U+FFFD) would let two different strings name one device.
describe('names are well-formed Unicode', () => {
  const lone = ['s\uD800', 's\uDC00', '\uDBFFx', 'a\uDC00\uD800'];
  const created: Device[] = [];
  const namespaces: Namespace[] = [];
  after(async () => {
    await Promise.all(created.map((d) => d.unregister()));
    await Promise.all(namespaces.map((ns) => ns.destroy()));
  });

  it('a device name with a lone surrogate is EINVAL, and nothing is created', () => {
    const before = Namespace.root.devices().length;
    for (const name of lone) {
      assertRedirectError(() => Namespace.root.createDevice(name), 'EINVAL', /lone surrogate/);
      assertRedirectError(() => Namespace.root.device(name), 'EINVAL', /lone surrogate/);
    }
    assert.equal(Namespace.root.devices().length, before);
  });

  it('a namespace name with a lone surrogate is EINVAL', () => {
    const before = Namespace.list().length;
    for (const name of lone) {
      assertRedirectError(() => new Namespace(`n${name}`), 'EINVAL', /lone surrogate/);
      assertRedirectError(() => Namespace.open(`n${name}`), 'EINVAL', /lone surrogate/);
    }
    assert.equal(Namespace.list().length, before);
  });

  it('renames, veth ends, uppers and tunnels refuse lone surrogates too', () => {
    const dev = Namespace.root.createDevice(uniqueName('u'));
    created.push(dev);
    const ns = new Namespace(uniqueName('un'));
    namespaces.push(ns);
    assertRedirectError(() => dev.moveTo(ns, { name: 'm\uD800' }), 'EINVAL');
    assert.equal(dev.namespace, Namespace.root);
    assertRedirectError(
      () => Device.createVethPair({ namespace: ns, name: 'v\uDC00' }, { namespace: Namespace.root, name: uniqueName('v') }),
      'EINVAL'
    );
    assertRedirectError(() => dev.createUpper('ipvlan', { name: 'i\uD800' }), 'EINVAL');
    assertRedirectError(() => ns.createTunnel('t\uD800', { backend: Namespace.root }), 'EINVAL');
    assert.deepEqual(ns.devices(), []);
  });

  it('surrogate pairs are fine and read back exactly', () => {
    const name = `\u{1F600}${uniqueName('p')}`.slice(0, 12);
    const dev = Namespace.root.createDevice(name);
    created.push(dev);
    assert.equal(dev.name, name);
    assert.equal(Namespace.root.device(name), dev);
    const ns = new Namespace(`\u{1F310}-${uniqueName('pn')}`);
    namespaces.push(ns);
    assert.equal(Namespace.open(ns.name), ns);
  });
});
