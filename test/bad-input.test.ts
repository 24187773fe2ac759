// Bad inputs to every public function and constructor: each call must either succeed (only
// when a precise predicate, written after the library's own checks and in their order, says
// the input is valid) or throw TypeError / RangeError (Node-style codes) or RedirectError (a
// code and a negative errno) — never crash, never another error class — and a refused call
// changes nothing (namespaces, devices, tables, output arrays). FC_SEED=<n> replays another
// seed, FC_RUNS=<n> changes the runs per function.
import * as assert from 'node:assert/strict';
import * as fc from 'fast-check';
import { Device, Namespace, RedirectHashTable, RedirectTable } from '../lib';
import { testNote, uniqueName } from './helpers';
import {
  anyTypedArray, f64Array, fuzzCounts, i32Array, invalidValue, junk, junkNoHuge, nameArb, normalizeName, Outcome, orJunk,
  predict, probe, rangeError, show, redirectError, registeredIn, typeError, u32Array, vBool, vConfig, vIfindex, vInteger,
  vNamespace, vObject, vRevision, vString, vTyped, vU32, validDeviceName, validNamespaceName, World,
} from './property/bad-input-support';

const seed = process.env.FC_SEED !== undefined ? Number(process.env.FC_SEED) : 424242;
const numRuns = process.env.FC_RUNS !== undefined ? Number(process.env.FC_RUNS) : 150;

type Args = unknown[];
const call = (fn: unknown, self: unknown, args: Args): unknown => (fn as (...a: Args) => unknown).apply(self, args);
const optional = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.option(arb, { nil: undefined, freq: 3 });

describe('bad inputs: every public function and constructor', function () {
  this.timeout(120000);
  const w = {} as World & {
    dev: Device; // registered, root, in the tables
    dev2: Device;
    gone: Device; // unregistered and released
    mover: Device; // moved around by moveTo
    T: RedirectTable;
    H: RedirectHashTable;
    C: RedirectTable; // a closed handle onto T
    CH: RedirectTable; // a closed handle onto H
    deadTableId: number;
  };
  const created = { devices: [] as Device[], namespaces: [] as Namespace[], tables: [] as RedirectTable[] };

  before(async () => {
    w.ns = new Namespace(uniqueName('bi-ns'));
    w.dead = new Namespace(uniqueName('bi-dead'));
    w.dead.createDevice('d0');
    await w.dead.destroy();
    w.dev = Namespace.root.createDevice(uniqueName('bi'), { ringSize: 64 });
    w.dev2 = Namespace.root.createDevice(uniqueName('bi'), { mtu: 9000, ringSize: 64 });
    w.gone = Namespace.root.createDevice(uniqueName('bi'));
    await w.gone.unregister();
    w.mover = Namespace.root.createDevice(uniqueName('bi'));
    w.T = new RedirectTable({ maxEntries: 8 });
    w.H = new RedirectHashTable({ maxEntries: 8 });
    w.C = RedirectTable.open(w.T.id);
    await w.C.close();
    w.CH = RedirectTable.open(w.H.id);
    await w.CH.close();
    const scratch = new RedirectTable({ maxEntries: 1 });
    w.deadTableId = scratch.id;
    await scratch.close();
    w.devices = [w.dev, w.dev2, w.gone, w.mover];
    w.tables = [w.T, w.H];
    w.closedTables = [w.C, w.CH];
  });

  /** Keeps a few entries in both tables (so conditional calls meet real revisions). */
  function refill(): void {
    for (const t of [w.T, w.H]) {
      if (t.keys().length >= 3) continue;
      t.set(1, w.dev.ifindex);
      t.set(2, w.dev2.ifindex);
      t.set(5, w.dev.ifindex);
    }
  }

  afterEach(async () => {
    // What successful calls created; the fixture devices back to their defaults.
    await Promise.all(created.tables.splice(0).map((t) => t.close()));
    await Promise.all(created.devices.splice(0).map((d) => d.unregister()));
    await Promise.all(created.namespaces.splice(0).map((ns) => ns.destroy()));
    for (const d of [w.dev, w.dev2]) {
      d.up();
      d.setTransmitFault(null);
      d.receive(new Uint32Array(4096));
    }
    w.dev.setMtu(1500);
    w.T.setTrace(null);
    w.H.setTrace(null);
  });

  after(async () => {
    testNote(
      `bad-input (seed ${seed}): ${fuzzCounts.cases} fuzz cases, ${fuzzCounts.ok} valid calls succeeded, ` +
        `${fuzzCounts.refused} refused (${[...fuzzCounts.byClass].map(([k, n]) => `${k} ${n}`).join(', ')})`
    );
    await Promise.all([w.T?.close(), w.H?.close()]);
    await Promise.all([w.dev, w.dev2, w.mover].map((d) => d?.unregister()));
    await w.ns?.destroy();
  });

  function fuzz<T>(arb: fc.Arbitrary<T>, body: (value: T) => void, runs = numRuns): void {
    fc.assert(
      fc.property(arb, (value) => {
        body(value);
      }),
      { seed, numRuns: runs }
    );
  }

  const namespaces = (): Namespace[] => [Namespace.root, w.ns, w.dead];
  const nsArb = (): fc.Arbitrary<unknown> => orJunk(fc.constantFrom(...namespaces()), 1, 2);
  /** Device options: mostly objects with some fields valid, some junk. */
  const optionsArb = (): fc.Arbitrary<unknown> =>
    fc.oneof(
      { weight: 1, arbitrary: junkNoHuge },
      {
        weight: 3,
        arbitrary: fc.record(
          {
            mtu: fc.oneof(fc.constantFrom(68, 1500, 9000, 65535), junkNoHuge),
            up: fc.oneof(fc.boolean(), junkNoHuge),
            ringSize: fc.oneof(fc.constantFrom(1, 2, 64, 4096), junkNoHuge),
            netnsLocal: fc.oneof(fc.boolean(), junkNoHuge),
          },
          { requiredKeys: [] }
        ),
      }
    );
  const nameOrJunk = (): fc.Arbitrary<unknown> => orJunk(nameArb, 1, 3);
  const keepDevice = (d: unknown): void => {
    assert.ok(d instanceof Device);
    created.devices.push(d);
  };
  const existsIn = (ns: Namespace, name: string): boolean => ns.state !== 'destroyed' && ns.device(name) !== undefined;

  describe('Namespace', () => {
    it('new Namespace(name)', () => {
      fuzz(nameOrJunk(), (name) => {
        const expected = predict(() => {
          const n = vString(name);
          if (!validNamespaceName(n)) redirectError('EINVAL');
          if (Namespace.list().some((ns) => ns.name === n)) redirectError('EEXIST');
        });
        probe(w, `new Namespace(${show(name)})`, expected, () => new Namespace(name as string), {
          onSuccess: (ns) => {
            created.namespaces.push(ns);
            assert.equal(ns.name, normalizeName(name as string));
            assert.equal(Namespace.open(ns.id), ns);
          },
        });
      });
    });

    it('Namespace.open(idOrName), Namespace.list(), Namespace.root', () => {
      const idOrName = fc.oneof(junk, nameArb, fc.constantFrom('root', w.ns.name, w.dead.name, 1, w.ns.id, w.dead.id, 2 ** 31));
      fuzz(fc.tuple(idOrName, junk), ([x, extra]) => {
        const expected = predict(() => {
          if (typeof x === 'string') {
            const n = vString(x);
            if (!Namespace.list().some((ns) => ns.name === n)) redirectError('ENOENT');
          } else if (typeof x === 'number') {
            const id = vU32(x);
            if (!Namespace.list().some((ns) => ns.id === id)) redirectError('ENOENT');
          } else typeError();
        });
        probe(w, `Namespace.open(${show(x)})`, expected, () => Namespace.open(x as number), {
          onSuccess: (ns) => assert.ok(Namespace.list().includes(ns)),
        });
        probe(w, 'Namespace.list(junk)', { ok: true }, () => call(Namespace.list, Namespace, [extra]), {
          onSuccess: (list) => assert.ok(Array.isArray(list) && (list as Namespace[]).includes(Namespace.root)),
        });
        probe(w, 'Namespace.root', { ok: true }, () => Namespace.root, { onSuccess: (root) => assert.equal(root.id, 1) });
      });
    });

    it('ns.createDevice(name, options)', () => {
      fuzz(fc.tuple(fc.constantFrom(...namespaces()), nameOrJunk(), optional(optionsArb())), ([ns, name, options]) => {
        const expected = predict(() => {
          const o = options === undefined ? {} : vObject(options);
          const n = vString(name);
          vConfig(o);
          if (!validDeviceName(n)) redirectError('EINVAL');
          if (ns.state !== 'alive') redirectError('ENOENT');
          if (existsIn(ns, n)) redirectError('EEXIST');
        });
        probe(w, `${ns}.createDevice(${show(name)}, ${show(options)})`, expected, () => ns.createDevice(name as string, options as {}), {
          onSuccess: (d) => {
            keepDevice(d);
            assert.equal(d.namespace, ns);
            assert.equal(d.name, normalizeName(name as string));
          },
        });
      });
    });

    it('ns.createTunnel(name, { backend, ...options })', () => {
      const options = fc.oneof(
        junkNoHuge,
        fc.tuple(nsArb(), optionsArb()).map(([backend, o]) => (typeof o === 'object' && o !== null ? { ...o, backend } : o))
      );
      fuzz(fc.tuple(fc.constantFrom(...namespaces()), nameOrJunk(), options), ([ns, name, o]) => {
        const expected = predict(() => {
          const opts = vObject(o);
          const backend = vNamespace(opts.backend);
          const n = vString(name);
          vConfig(opts);
          if (backend === ns) redirectError('EINVAL');
          if (backend.state !== 'alive') redirectError('ENOENT');
          if (!validDeviceName(n)) redirectError('EINVAL');
          if (ns.state !== 'alive') redirectError('ENOENT');
          if (existsIn(ns, n)) redirectError('EEXIST');
        });
        probe(w, `${ns}.createTunnel(${show(name)}, ${show(o)})`, expected, () => ns.createTunnel(name as string, o as never), {
          onSuccess: (d) => {
            keepDevice(d);
            assert.equal(d.kind, 'tunnel');
            assert.equal(d.backend, (o as { backend: Namespace }).backend);
          },
        });
      });
    });

    it('ns.device(ifindexOrName), ns.devices(), ns.state', () => {
      const key = fc.oneof(junk, nameArb, fc.constantFrom(w.dev.name, w.gone.name, w.dev.ifindex, w.gone.ifindex, 0, 2 ** 31 - 1));
      fuzz(fc.tuple(fc.constantFrom(...namespaces()), key, junk), ([ns, x, extra]) => {
        let want: Device | undefined;
        const expected = predict(() => {
          if (typeof x === 'string') {
            const n = vString(x);
            want = ns.devices().find((d) => d.name === n);
          }
          else if (typeof x === 'number') {
            const ifindex = vIfindex(x);
            want = ns.devices().find((d) => d.ifindex === ifindex);
          } else typeError();
        });
        probe(w, `${ns}.device(${show(x)})`, expected, () => ns.device(x as number), {
          onSuccess: (d) => assert.equal(d, want),
        });
        probe(w, `${ns}.devices(junk)`, { ok: true }, () => call(ns.devices, ns, [extra]), {
          onSuccess: (list) => assert.ok(Array.isArray(list)),
        });
        probe(w, `${ns}.state`, { ok: true }, () => ns.state, {
          onSuccess: (s) => assert.equal(s, ns === w.dead ? 'destroyed' : 'alive'),
        });
      });
    });

    it('ns.destroy() of the root and of a destroyed namespace', () => {
      fuzz(junk, (extra) => {
        probe(w, 'root.destroy(junk)', { ok: false, cls: 'RedirectError', code: 'EINVAL' }, () => call(Namespace.root.destroy, Namespace.root, [extra]));
        probe(w, 'dead.destroy(junk)', { ok: true }, () => call(w.dead.destroy, w.dead, [extra]), {
          onSuccess: (p) => assert.ok(p instanceof Promise),
        });
      }, 30);
    });
  });

  describe('Device', () => {
    it('new Device(...) is not public', () => {
      fuzz(fc.tuple(junk, junk), ([a, b]) => {
        probe(w, 'new Device(junk)', { ok: false, cls: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' }, () => new (Device as unknown as new (...x: Args) => Device)(a, b));
      }, 50);
    });

    it('Device.createVethPair(a, b)', () => {
      const end = fc.oneof(
        { weight: 1, arbitrary: junkNoHuge },
        {
          weight: 4,
          arbitrary: fc.tuple(nsArb(), nameOrJunk(), optionsArb()).map(([namespace, name, o]) => (typeof o === 'object' && o !== null ? { ...o, namespace, name } : { namespace, name })),
        }
      );
      fuzz(fc.tuple(end, end), ([a, b]) => {
        const expected = predict(() => {
          const ea = vObject(a);
          const eb = vObject(b);
          const nsA = vNamespace(ea.namespace);
          const nsB = vNamespace(eb.namespace);
          const na = vString(ea.name);
          vConfig(ea);
          const nb = vString(eb.name);
          vConfig(eb);
          if (nsA === nsB && na === nb) redirectError('EEXIST');
          for (const [ns, n] of [[nsA, na], [nsB, nb]] as Array<[Namespace, string]>) {
            if (!validDeviceName(n)) redirectError('EINVAL');
            if (ns.state !== 'alive') redirectError('ENOENT');
            if (existsIn(ns, n)) redirectError('EEXIST');
          }
        });
        probe(w, `createVethPair(${show(a)}, ${show(b)})`, expected, () => Device.createVethPair(a as never, b as never), {
          onSuccess: ([x, y]) => {
            keepDevice(x);
            assert.equal(x.peer, y);
            assert.equal(y.kind, 'veth');
          },
        });
      });
    });

    it('dev.createUpper(kind, placement)', () => {
      const placement = fc.oneof(
        { weight: 1, arbitrary: junkNoHuge },
        {
          weight: 4,
          arbitrary: fc.tuple(optional(nsArb()), nameOrJunk(), optionsArb()).map(([namespace, name, o]) => {
            const base = typeof o === 'object' && o !== null ? { ...o, name } : { name };
            return namespace === undefined ? base : { ...base, namespace };
          }),
        }
      );
      const kind = orJunk(fc.constantFrom('ipvlan', 'macvlan', 'veth', 'plain', 'IPVLAN', ''), 1, 3);
      fuzz(fc.tuple(fc.constantFrom(w.dev, w.gone), kind, placement), ([lower, k, p]) => {
        const expected = predict(() => {
          const pl = vObject(p);
          const ns = vNamespace(pl.namespace ?? lower.namespace);
          const kindName = vString(k);
          if (kindName !== 'ipvlan' && kindName !== 'macvlan') invalidValue();
          const n = vString(pl.name);
          vConfig(pl);
          if (lower.state !== 'registered') redirectError('ENODEV');
          if (!validDeviceName(n)) redirectError('EINVAL');
          if (ns.state !== 'alive') redirectError('ENOENT');
          if (existsIn(ns, n)) redirectError('EEXIST');
        });
        probe(w, `${lower}.createUpper(${show(k)}, ${show(p)})`, expected, () => lower.createUpper(k as 'ipvlan', p as never), {
          onSuccess: (d) => {
            keepDevice(d);
            assert.equal(d.lower, lower);
          },
        });
      });
    });

    it('dev.up(), dev.down(), dev.setMtu(mtu)', () => {
      const mtu = orJunk(fc.constantFrom(68, 1500, 9000, 65535), 2, 1);
      fuzz(fc.tuple(fc.constantFrom(w.dev, w.gone), mtu, junk, fc.boolean()), ([d, m, extra, up]) => {
        const alive = d.state === 'registered';
        const state: Outcome = alive ? { ok: true } : { ok: false, cls: 'RedirectError', code: 'ENODEV' };
        probe(w, `${d}.${up ? 'up' : 'down'}(junk)`, state, () => call(up ? d.up : d.down, d, [extra]), {
          onSuccess: () => assert.equal(d.isUp, up),
        });
        const expected = predict(() => {
          vInteger(m, 68, 65535);
          if (!alive) redirectError('ENODEV');
        });
        probe(w, `${d}.setMtu(${show(m)})`, expected, () => d.setMtu(m as number), {
          onSuccess: () => assert.equal(d.mtu, m),
        });
      });
    });

    it('dev.moveTo(namespace, options)', () => {
      const options = optional(fc.oneof(junkNoHuge, fc.record({ name: orJunk(nameArb, 1, 2) }, { requiredKeys: [] })));
      fuzz(fc.tuple(fc.constantFrom(w.mover, w.gone), nsArb(), options), ([d, target, o]) => {
        const source = d.namespace;
        const oldName = d.name;
        const expected = predict(() => {
          const opts = o === undefined ? {} : vObject(o);
          const ns = vNamespace(target);
          const rename = opts.name === undefined ? undefined : vString(opts.name);
          if (rename !== undefined && !validDeviceName(rename)) redirectError('EINVAL');
          if (ns === source) {
            if (d.state !== 'registered') redirectError('ENODEV'); // nothing to move, but say it is gone
            return;
          }
          if (d.state !== 'registered' || source.state !== 'alive') redirectError('ENODEV');
          if (ns.state !== 'alive') redirectError('ENOENT');
          if (existsIn(ns, rename ?? oldName)) redirectError('EEXIST');
        });
        probe(w, `${d}.moveTo(${show(target)}, ${show(o)})`, expected, () => d.moveTo(target as Namespace, o as {}), {
          onSuccess: () => {
            assert.equal(d.namespace, target);
            if (target !== source) assert.equal(d.name, (o as { name?: string } | undefined)?.name !== undefined ? normalizeName((o as { name: string }).name) : oldName);
          },
        });
      });
    });

    it('dev.receive(ids, lengths), dev.stats()', () => {
      const arr = orJunk(u32Array(8), 1, 1);
      fuzz(fc.tuple(fc.constantFrom(w.dev, w.gone), arr, optional(arr), junk), ([d, ids, lengths, extra]) => {
        const expected = predict(() => {
          vTyped(ids, 'Uint32Array');
          if (lengths !== undefined) vTyped(lengths, 'Uint32Array');
        });
        probe(w, `${d}.receive(${show(ids)}, ${show(lengths)})`, expected, () => d.receive(ids as Uint32Array, lengths as Uint32Array), {
          outputs: [ids, lengths],
          onSuccess: (n) => assert.ok(Number.isInteger(n) && n >= 0 && n <= (ids as Uint32Array).length),
        });
        probe(w, `${d}.stats(junk)`, { ok: true }, () => call(d.stats, d, [extra]), {
          onSuccess: (s) => assert.equal(typeof (s as { txFrames: unknown }).txFrames, 'number'),
        });
      });
    });

    it('dev.setTransmitFault(fault)', () => {
      const fault = fc.oneof(
        junk,
        fc.record({ error: orJunk(fc.boolean(), 1, 2), acceptAtMost: orJunk(fc.nat(20), 1, 2) }, { requiredKeys: [] })
      );
      fuzz(fc.tuple(fc.constantFrom(w.dev, w.gone), fault), ([d, f]) => {
        const expected = predict(() => {
          if (f === null) return;
          const o = vObject(f);
          vBool(o.error ?? false);
          if (o.acceptAtMost !== undefined) vU32(o.acceptAtMost);
        });
        probe(w, `${d}.setTransmitFault(${show(f)})`, expected, () => d.setTransmitFault(f as null));
      });
    });

    it('dev.unregister() of an unregistered device', () => {
      fuzz(junk, (extra) => {
        probe(w, 'gone.unregister(junk)', { ok: true }, () => call(w.gone.unregister, w.gone, [extra]), {
          onSuccess: (p) => assert.ok(p instanceof Promise),
        });
      }, 30);
    });
  });

  describe('RedirectTable and RedirectHashTable', () => {
    it('constructors', () => {
      const options = fc.oneof(
        { weight: 1, arbitrary: junkNoHuge },
        {
          weight: 4,
          arbitrary: fc.record(
            { maxEntries: fc.oneof(fc.constantFrom(1, 8, 4096), junkNoHuge), namespace: nsArb() },
            { requiredKeys: ['maxEntries'] }
          ),
        }
      );
      fuzz(fc.tuple(fc.boolean(), options), ([hash, o]) => {
        const expected = predict(() => {
          const opts = vObject(o);
          const ns = vNamespace(opts.namespace ?? Namespace.root);
          vInteger(opts.maxEntries, 1, 2 ** 32 - 1);
          if (ns.state !== 'alive') redirectError('ENOENT');
        });
        const Ctor = hash ? RedirectHashTable : RedirectTable;
        probe(w, `new ${Ctor.name}(${show(o)})`, expected, () => new Ctor(o as never), {
          onSuccess: (t) => {
            created.tables.push(t);
            assert.equal(t instanceof RedirectHashTable, hash);
            assert.equal(t.maxEntries, (o as { maxEntries: number }).maxEntries);
          },
        });
      });
    });

    it('RedirectTable.open(id), RedirectTable.clock()', () => {
      const id = fc.oneof(junk, fc.constantFrom(w.T.id, w.H.id, w.deadTableId, 2 ** 31, 2 ** 32 - 1));
      fuzz(fc.tuple(id, junk), ([x, extra]) => {
        const expected = predict(() => {
          const n = vU32(x);
          if (n !== w.T.id && n !== w.H.id) redirectError('ENOENT');
        });
        probe(w, `RedirectTable.open(${show(x)})`, expected, () => RedirectTable.open(x as number), {
          onSuccess: (t) => {
            created.tables.push(t);
            assert.equal(t.id, x);
            assert.equal(t instanceof RedirectHashTable, x === w.H.id);
          },
        });
        probe(w, 'RedirectTable.clock(junk)', { ok: true }, () => call(RedirectTable.clock, RedirectTable, [extra]), {
          onSuccess: (now) => assert.ok(typeof now === 'number' && now > 0),
        });
      });
    });

    /** The receivers: both tables and closed handles onto them. */
    const tables = (): RedirectTable[] => [w.T, w.H, w.C, w.CH];
    const isHash = (t: RedirectTable): boolean => t instanceof RedirectHashTable;
    const checkOpen = (t: RedirectTable): void => {
      if (t.closed) redirectError('EBADF');
    };
    const keyArb = (): fc.Arbitrary<unknown> => orJunk(fc.oneof(fc.nat(9), fc.constantFrom(16, 2 ** 32 - 1)), 1, 2);
    const ifindexArb = (): fc.Arbitrary<unknown> => orJunk(fc.constantFrom(() => w.dev.ifindex, () => w.dev2.ifindex, () => w.gone.ifindex, () => 0, () => 0x7ffffff0).map((f) => f()), 1, 2);
    /** A slot's key as the table checks it: u32, and below maxEntries for an array table. */
    const checkKey = (t: RedirectTable, key: unknown): number => {
      const k = vU32(key);
      if (!isHash(t) && k >= t.maxEntries) redirectError('E2BIG');
      return k;
    };
    const CURRENT = Symbol('the key’s current revision');
    const revisionArb = (): fc.Arbitrary<unknown> => fc.oneof(fc.constant(CURRENT), junk, fc.constantFrom(0, 1, 2 ** 53 - 1));
    const resolveRevision = (t: RedirectTable, key: unknown, revision: unknown): unknown => {
      if (revision !== CURRENT) return revision;
      if (t.closed || typeof key !== 'number') return 1;
      try {
        return t.entry(key)?.revision ?? 1;
      } catch {
        return 1;
      }
    };

    it('get, delete, entry', () => {
      fuzz(fc.tuple(fc.constantFrom(...tables()), keyArb(), fc.constantFrom('get', 'delete', 'entry')), ([t, key, name]) => {
        refill();
        let had: boolean | undefined;
        const expected = predict(() => {
          checkOpen(t);
          const k = checkKey(t, key);
          had = t.get(k) !== undefined;
        });
        probe(w, `${show(t)}.${name}(${show(key)})`, expected, () => call(t[name], undefined, [key]), {
          onSuccess: (r) => {
            if (name === 'delete') assert.equal(r, had);
            else assert.equal(r !== undefined, had);
          },
        });
      });
    });

    it('set', () => {
      fuzz(fc.tuple(fc.constantFrom(...tables()), keyArb(), ifindexArb()), ([t, key, ifindex]) => {
        const expected = predict(() => {
          checkOpen(t);
          const k = checkKey(t, key);
          const i = vIfindex(ifindex);
          if (!registeredIn(t.namespace, i)) redirectError('ENODEV');
          if (isHash(t) && t.get(k) === undefined && t.keys().length >= t.maxEntries) redirectError('E2BIG');
        });
        probe(w, `${show(t)}.set(${show(key)}, ${show(ifindex)})`, expected, () => t.set(key as number, ifindex as number), {
          onSuccess: (revision) => assert.equal(t.entry(key as number)?.revision, revision),
        });
      });
    });

    it('keys, snapshot, stats, flush (closed handles: EBADF)', () => {
      fuzz(fc.tuple(fc.constantFrom(...tables()), fc.constantFrom('keys', 'snapshot', 'stats', 'flush'), junk), ([t, name, extra]) => {
        const expected = predict(() => checkOpen(t));
        const fn = name === 'stats' ? t.stats : t[name];
        probe(w, `${show(t)}.${name}(junk)`, expected, () => call(fn, t, [extra]));
      });
    });

    it('getBatch', () => {
      fuzz(fc.tuple(fc.constantFrom(...tables()), orJunk(u32Array(), 1, 2), orJunk(i32Array(8), 1, 2)), ([t, keys, out]) => {
        const expected = predict(() => {
          checkOpen(t);
          const k = vTyped<Uint32Array>(keys, 'Uint32Array');
          const o = vTyped<Int32Array>(out, 'Int32Array');
          if (o.length < k.length) rangeError();
        });
        probe(w, `${show(t)}.getBatch(${show(keys)}, ${show(out)})`, expected, () => t.getBatch(keys as Uint32Array, out as Int32Array), {
          outputs: [out],
        });
      });
    });

    it('setBatch', () => {
      const ifindexes = fc.oneof(
        junk,
        fc.tuple(fc.array(ifindexArb().filter((v) => typeof v === 'number'), { maxLength: 6 }), fc.boolean()).map(([list, unsigned]) =>
          unsigned ? Uint32Array.from(list as number[]) : Int32Array.from(list as number[])
        )
      );
      fuzz(fc.tuple(fc.constantFrom(...tables()), orJunk(u32Array(), 1, 3), ifindexes), ([t, keys, ifx]) => {
        const expected = predict(() => {
          checkOpen(t);
          const k = vTyped<Uint32Array>(keys, 'Uint32Array');
          const i = vTyped<Int32Array>(ifx, 'Int32OrUint32');
          if (i.length !== k.length) invalidValue();
          if (isHash(t)) {
            const fresh = new Set([...k].filter((key) => t.get(key) === undefined));
            if (t.keys().length + fresh.size > t.maxEntries) redirectError('E2BIG');
          } else if (k.some((key) => key >= t.maxEntries)) redirectError('E2BIG');
          if ([...Int32Array.from(i)].some((x) => !registeredIn(t.namespace, x))) redirectError('ENODEV');
        });
        probe(w, `${show(t)}.setBatch(${show(keys)}, ${show(ifx)})`, expected, () => t.setBatch(keys as Uint32Array, ifx as Int32Array), {
          onSuccess: (n) => assert.equal(n, (keys as Uint32Array).length),
        });
        if (!t.closed && t.keys().length >= t.maxEntries) t.deleteBatch(Uint32Array.of(0, 3, 4, 6, 7));
      });
    });

    it('deleteBatch', () => {
      fuzz(fc.tuple(fc.constantFrom(...tables()), orJunk(u32Array(), 1, 2)), ([t, keys]) => {
        refill();
        const expected = predict(() => {
          checkOpen(t);
          const k = vTyped<Uint32Array>(keys, 'Uint32Array');
          if (!isHash(t) && k.some((key) => key >= t.maxEntries)) redirectError('E2BIG');
        });
        probe(w, `${show(t)}.deleteBatch(${show(keys)})`, expected, () => t.deleteBatch(keys as Uint32Array));
      });
    });

    it('redirect', () => {
      const arr = orJunk(u32Array(4), 1, 4);
      fuzz(fc.tuple(fc.constantFrom(...tables()), arr, arr, arr, optional(orJunk(i32Array(6), 1, 2))), ([t, keys, ids, lengths, verdicts]) => {
        refill();
        const expected = predict(() => {
          checkOpen(t);
          const k = vTyped<Uint32Array>(keys, 'Uint32Array');
          const i = vTyped<Uint32Array>(ids, 'Uint32Array');
          const l = vTyped<Uint32Array>(lengths, 'Uint32Array');
          if (i.length !== k.length || l.length !== k.length) invalidValue();
          if (verdicts !== undefined && vTyped<Int32Array>(verdicts, 'Int32Array').length < k.length) rangeError();
        });
        probe(w, `${show(t)}.redirect(${show(keys)}, ${show(ids)}, ${show(lengths)}, ${show(verdicts)})`, expected, () =>
          t.redirect(keys as Uint32Array, ids as Uint32Array, lengths as Uint32Array, verdicts as Int32Array), {
          outputs: [verdicts],
        });
      });
    });

    it('redirectOne', () => {
      const u = orJunk(fc.oneof(fc.nat(9), fc.constantFrom(60, 1500, 1501, 2 ** 32 - 1)), 1, 2);
      fuzz(fc.tuple(fc.constantFrom(...tables()), u, u, u), ([t, key, id, length]) => {
        refill();
        const expected = predict(() => {
          checkOpen(t);
          vU32(key);
          vU32(id);
          vU32(length);
        });
        probe(w, `${show(t)}.redirectOne(${show(key)}, ${show(id)}, ${show(length)})`, expected, () =>
          t.redirectOne(key as number, id as number, length as number), {
          onSuccess: (v) => assert.ok([0, -2, -100, -90].includes(v)),
        });
      });
      w.T.flush();
    });

    it('broadcast', () => {
      const arr = orJunk(u32Array(4), 1, 4);
      const options = optional(fc.oneof(junk, fc.record({ excludeIfindex: orJunk(fc.constantFrom(0, 1, w.dev.ifindex), 1, 1) }, { requiredKeys: [] })));
      fuzz(fc.tuple(fc.constantFrom(...tables()), arr, arr, options), ([t, ids, lengths, o]) => {
        refill();
        const expected = predict(() => {
          const opts = o === undefined ? {} : vObject(o);
          checkOpen(t);
          const i = vTyped<Uint32Array>(ids, 'Uint32Array');
          const l = vTyped<Uint32Array>(lengths, 'Uint32Array');
          if (l.length !== i.length) invalidValue();
          vIfindex(opts.excludeIfindex ?? 0);
        });
        probe(w, `${show(t)}.broadcast(${show(ids)}, ${show(lengths)}, ${show(o)})`, expected, () =>
          t.broadcast(ids as Uint32Array, lengths as Uint32Array, o as {}));
      });
    });

    it('setTrace', () => {
      const listener = fc.oneof(junk, fc.constant(null), fc.constant(() => undefined));
      fuzz(fc.tuple(fc.constantFrom(...tables()), listener), ([t, l]) => {
        const expected = predict(() => {
          if (l !== null && typeof l !== 'function') typeError();
        });
        probe(w, `${show(t)}.setTrace(${show(l)})`, expected, () => t.setTrace(l as null), { onSuccess: () => t.setTrace(null) });
      });
    });

    it('compareAndDelete', () => {
      fuzz(fc.tuple(fc.constantFrom(...tables()), keyArb(), revisionArb()), ([t, key, rev]) => {
        refill();
        const revision = resolveRevision(t, key, rev);
        const expected = predict(() => {
          checkOpen(t);
          const k = checkKey(t, key);
          const r = vRevision(revision);
          const entry = t.entry(k);
          if (entry === undefined) redirectError('ENOENT');
          if (entry!.revision !== r) redirectError('EBUSY');
        });
        probe(w, `${show(t)}.compareAndDelete(${show(key)}, ${show(revision)})`, expected, () =>
          t.compareAndDelete(key as number, revision as number), {
          onSuccess: (r) => assert.equal(r, true),
        });
      });
    });

    it('compareAndSet', () => {
      fuzz(fc.tuple(fc.constantFrom(...tables()), keyArb(), ifindexArb(), revisionArb()), ([t, key, ifindex, rev]) => {
        refill();
        const revision = resolveRevision(t, key, rev);
        const expected = predict(() => {
          checkOpen(t);
          const k = checkKey(t, key);
          const i = vIfindex(ifindex);
          const r = vRevision(revision);
          if (!registeredIn(t.namespace, i)) redirectError('ENODEV');
          const entry = t.entry(k);
          if (entry === undefined) redirectError('ENOENT');
          if (entry!.revision !== r) redirectError('EBUSY');
        });
        probe(w, `${show(t)}.compareAndSet(${show(key)}, ${show(ifindex)}, ${show(revision)})`, expected, () =>
          t.compareAndSet(key as number, ifindex as number, revision as number), {
          onSuccess: (r) => assert.equal(t.entry(key as number)?.revision, r),
        });
      });
    });

    it('compareAndDeleteBatch', () => {
      const arrays = fc.tuple(orJunk(u32Array(4), 1, 3), orJunk(f64Array(4), 1, 3), optional(orJunk(f64Array(4), 1, 2)), optional(orJunk(i32Array(5), 1, 2)));
      fuzz(fc.tuple(fc.constantFrom(...tables()), arrays), ([t, [keys, revisions, lastUsed, statuses]]) => {
        refill();
        const expected = predict(() => {
          checkOpen(t);
          const k = vTyped<Uint32Array>(keys, 'Uint32Array');
          const r = vTyped<Float64Array>(revisions, 'Float64Array');
          const u = lastUsed === undefined ? undefined : vTyped<Float64Array>(lastUsed, 'Float64Array');
          const s = statuses === undefined ? undefined : vTyped<Int32Array>(statuses, 'Int32Array');
          if (r.length !== k.length || (u !== undefined && u.length !== k.length) || (s !== undefined && s.length < k.length)) invalidValue();
        });
        probe(w, `${show(t)}.compareAndDeleteBatch(${show(keys)}, ${show(revisions)}, ${show(lastUsed)}, ${show(statuses)})`, expected, () =>
          t.compareAndDeleteBatch(keys as Uint32Array, revisions as Float64Array, lastUsed as Float64Array, statuses as Int32Array), {
          outputs: [statuses],
          onSuccess: (n) => assert.ok(Number.isInteger(n) && n >= 0 && n <= (keys as Uint32Array).length),
        });
      });
    });

    it('expire', () => {
      const options = fc.oneof(junk, fc.record({ idleMs: orJunk(fc.constantFrom(0, 10, 1e9), 3, 1) }, { requiredKeys: [] }));
      fuzz(fc.tuple(fc.constantFrom(...tables()), options), ([t, o]) => {
        refill();
        const expected = predict(() => {
          const opts = vObject(o);
          if (typeof opts.idleMs !== 'number') typeError();
          const idleMs = opts.idleMs as number;
          if (!(idleMs >= 0) || !Number.isFinite(idleMs)) rangeError(); // any finite number >= 0
          checkOpen(t);
        });
        probe(w, `${show(t)}.expire(${show(o)})`, expected, () => t.expire(o as { idleMs: number }), {
          onSuccess: (r) => assert.ok(Number.isInteger(r.deleted) && Number.isInteger(r.busy)),
        });
      });
    });

    it('close() of a closed handle, and the closed getter', () => {
      fuzz(fc.tuple(fc.constantFrom(w.C, w.CH), junk), ([t, extra]) => {
        probe(w, `${show(t)}.close(junk)`, { ok: true }, () => call(t.close, t, [extra]), {
          onSuccess: (p) => assert.ok(p instanceof Promise),
        });
        probe(w, `${show(t)}.closed`, { ok: true }, () => t.closed, { onSuccess: (c) => assert.equal(c, true) });
      }, 30);
    });

    it('typed arrays of every type, shared, offset and detached, in every array position', () => {
      // A focused pass: each array argument gets every kind of typed array while the others are valid.
      fuzz(fc.tuple(fc.constantFrom(w.T, w.H), anyTypedArray, fc.nat(9)), ([t, bad, position]) => {
        refill();
        const ok = (n: number): Uint32Array => new Uint32Array(n);
        const cases: Array<[string, () => unknown, () => void]> = [
          ['getBatch keys', () => t.getBatch(bad as Uint32Array, new Int32Array(8)), () => { vTyped(bad, 'Uint32Array'); if ((bad as Uint32Array).length > 8) rangeError(); }],
          ['getBatch out', () => t.getBatch(ok(0), bad as Int32Array), () => vTyped(bad, 'Int32Array')],
          ['setBatch ifindexes', () => t.setBatch(ok(0), bad as Int32Array), () => { if (vTyped<Int32Array>(bad, 'Int32OrUint32').length !== 0) invalidValue(); }],
          ['deleteBatch keys', () => t.deleteBatch(bad as Uint32Array), () => { if (vTyped<Uint32Array>(bad, 'Uint32Array').some((k) => k >= 8) && !isHash(t)) redirectError('E2BIG'); }],
          ['redirect ids', () => t.redirect(ok(0), bad as Uint32Array, ok(0)), () => { if (vTyped<Uint32Array>(bad, 'Uint32Array').length !== 0) invalidValue(); }],
          ['redirect verdicts', () => t.redirect(ok(1), ok(1), Uint32Array.of(60), bad as Int32Array), () => { if (vTyped<Int32Array>(bad, 'Int32Array').length < 1) rangeError(); }],
          ['broadcast lengths', () => t.broadcast(ok(0), bad as Uint32Array), () => { if (vTyped<Uint32Array>(bad, 'Uint32Array').length !== 0) invalidValue(); }],
          ['compareAndDeleteBatch revisions', () => t.compareAndDeleteBatch(ok(0), bad as Float64Array), () => { if (vTyped<Float64Array>(bad, 'Float64Array').length !== 0) invalidValue(); }],
          ['compareAndDeleteBatch lastUsed', () => t.compareAndDeleteBatch(ok(0), new Float64Array(0), bad as Float64Array), () => { if (vTyped<Float64Array>(bad, 'Float64Array').length !== 0) invalidValue(); }],
          ['receive ids', () => w.dev.receive(bad as Uint32Array), () => vTyped(bad, 'Uint32Array')],
        ];
        const [label, run, rule] = cases[position];
        probe(w, `${label}: ${show(bad)}`, predict(rule), run, { outputs: [bad] });
      }, 400);
    });
  });

  describe('wrong receivers (methods detached from their object)', () => {
    it('prototype methods called on junk throw TypeError', () => {
      const methods: Array<[string, unknown]> = [
        ['Namespace#createDevice', Namespace.prototype.createDevice],
        ['Namespace#createTunnel', Namespace.prototype.createTunnel],
        ['Namespace#device', Namespace.prototype.device],
        ['Namespace#devices', Namespace.prototype.devices],
        ['Namespace#destroy', Namespace.prototype.destroy],
      ];
      fuzz(fc.tuple(fc.constantFrom(...methods), junk.filter((v) => !(v instanceof Namespace))), ([[, fn], self]) => {
        probe(w, 'method on a wrong receiver', { ok: false, cls: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' }, () =>
          call(fn, self, ['x', { backend: Namespace.root }]));
      }, 50);
    });
    it('Device and RedirectTable prototype methods called on junk throw TypeError (no code: private fields)', () => {
      // Only the class is asserted: these throw V8's "Cannot read private member" TypeError, which
      // carries no code. README promises detachment only for the bound data methods.
      const methods: unknown[] = [
        Device.prototype.up, Device.prototype.setMtu, Device.prototype.receive, Device.prototype.stats, Device.prototype.moveTo,
        Device.prototype.setTransmitFault, Device.prototype.unregister, Device.prototype.createUpper,
        RedirectTable.prototype.stats, RedirectTable.prototype.broadcast, RedirectTable.prototype.close, RedirectTable.prototype.setTrace,
      ];
      fuzz(fc.tuple(fc.constantFrom(...methods), junk), ([fn, self]) => {
        fuzzCounts.cases += 1;
        assert.throws(() => call(fn, self, [() => undefined]), TypeError);
      }, 50);
    });
  });

  describe('compareAndDeleteBatch argument checks (regressions found by this suite)', () => {
    it('a zero-length lastUsed with a non-empty batch is refused (ERR_INVALID_ARG_VALUE), not ignored', () => {
      refill();
      const revision = w.T.entry(1)!.revision;
      // Was accepted: the addon took a null data pointer (length 0) for "not passed" and ran the
      // batch without the idle condition.
      probe(w, 'T.compareAndDeleteBatch([1], [rev], new Float64Array(0))', { ok: false, cls: 'RangeError', code: 'ERR_INVALID_ARG_VALUE' }, () =>
        w.T.compareAndDeleteBatch(Uint32Array.of(1), Float64Array.of(revision), new Float64Array(0)));
    });

    it('a zero-length statuses with a non-empty batch is refused (ERR_INVALID_ARG_VALUE)', () => {
      refill();
      const revision = w.H.entry(1)!.revision;
      // Was accepted the same way: the entry deleted, no status reported.
      probe(w, 'H.compareAndDeleteBatch([1], [rev], undefined, new Int32Array(0))', { ok: false, cls: 'RangeError', code: 'ERR_INVALID_ARG_VALUE' }, () =>
        w.H.compareAndDeleteBatch(Uint32Array.of(1), Float64Array.of(revision), undefined, new Int32Array(0)));
    });

    it('a fractional revision never matches (compareAndDelete refuses it; the batch must not truncate it)', () => {
      for (const t of [w.T, w.H]) {
        refill();
        const revision = t.entry(2)!.revision;
        const statuses = new Int32Array(1);
        // Was truncated: static_cast<uint64_t>(rev + 0.5) == rev deleted the entry.
        assert.equal(t.compareAndDeleteBatch(Uint32Array.of(2), Float64Array.of(revision + 0.5), undefined, statuses), 0, `${show(t)}: deleted`);
        assert.deepEqual([...statuses], [-16]);
        assert.equal(t.entry(2)?.revision, revision);
      }
    });
  });
});
