import * as assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { MessageChannel, Worker } from 'node:worker_threads';
import { Device, Namespace, RedirectHashTable, RedirectTable } from '../lib';
import { createDevice, uniqueName } from './helpers';

// Each handle kind, and what its error must tell the sender to do instead.
interface Case {
  label: string;
  make: () => object;
  instead: RegExp;
}

const cases: Case[] = [
  { label: 'Device', make: () => createDevice(), instead: /Namespace\.open\(namespaceId\)\.device\(ifindex\)/ },
  { label: 'Namespace', make: () => new Namespace(uniqueName('cl')), instead: /Namespace\.open\(id\)/ },
  { label: 'Namespace.root', make: () => Namespace.root, instead: /Namespace\.open\(id\)/ },
  { label: 'RedirectTable', make: () => new RedirectTable({ maxEntries: 4 }), instead: /RedirectTable\.open\(id\)/ },
  { label: 'RedirectHashTable', make: () => new RedirectHashTable({ maxEntries: 4 }), instead: /RedirectTable\.open\(id\)/ },
];

function isNotCloneable(label: string, instead: RegExp): (error: unknown) => boolean {
  return (error) => {
    assert.ok(error instanceof Error, `expected an Error, got ${String(error)}`);
    assert.equal(error.name, 'DataCloneError');
    assert.equal((error as NodeJS.ErrnoException).code, 'ERR_REDIRECT_TABLE_NOT_CLONEABLE');
    assert.match(error.message, new RegExp(`^An? ${label.split('.')[0]} `));
    assert.match(error.message, instead);
    return true;
  };
}

async function release(handle: object): Promise<void> {
  if (handle instanceof RedirectTable) await handle.close();
  else if (handle instanceof Device) await handle.unregister();
  else if (handle instanceof Namespace && handle !== Namespace.root) await handle.destroy();
}

describe('handles sent to another thread', () => {
  for (const { label, make, instead } of cases) {
    describe(label, () => {
      let handle: object;
      beforeEach(() => {
        handle = make();
      });
      afterEach(async () => {
        await release(handle);
      });

      it('postMessage throws at once, naming the way to do it (also nested)', () => {
        const { port1, port2 } = new MessageChannel();
        try {
          assert.throws(() => port1.postMessage(handle), isNotCloneable(label, instead));
          assert.throws(() => port1.postMessage({ nested: [1, { handle }] }), isNotCloneable(label, instead));
          assert.throws(() => structuredClone(handle), isNotCloneable(label, instead));
        } finally {
          port1.close();
          port2.close();
        }
      });

      it('workerData throws at once in new Worker, and no worker starts', () => {
        let worker: Worker | undefined;
        assert.throws(() => {
          worker = new Worker('require("node:worker_threads").parentPort.postMessage("started")', {
            eval: true,
            workerData: { handle },
          });
        }, isNotCloneable(label, instead));
        if (worker) void worker.terminate();
      });

      it('JSON.stringify and util.inspect still work; a spread copy throws the same error', () => {
        const json = JSON.parse(JSON.stringify(handle)) as Record<string, unknown>;
        if (handle instanceof Device) assert.equal(json.ifindex, handle.ifindex);
        else assert.equal(json.id, (handle as { id: number }).id);
        assert.doesNotMatch(inspect(handle), /Getter|notCloneable/);
        assert.throws(() => ({ ...handle }), isNotCloneable(label, instead));
      });
    });
  }
});
