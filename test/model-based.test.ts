// Model-based tests: random command sequences against both table kinds, each result compared
// with a reference model (test/property/table-model.ts). FC_SEED=<n> replays another seed,
// FC_RUNS=<n> changes the number of runs per table kind.
import * as fc from 'fast-check';
import { Namespace, RedirectHashTable, RedirectTable } from '../lib';
import type { TableKind } from './helpers';
import { testNote, uniqueName } from './helpers';
import { assertAllClosed, assertSameContents, counters, tableCommands, TableModel, TableReal } from './property/table-model';

const seed = process.env.FC_SEED !== undefined ? Number(process.env.FC_SEED) : 20261122;
const numRuns = process.env.FC_RUNS !== undefined ? Number(process.env.FC_RUNS) : 150;
const MAX_COMMANDS = 40;
/** The devices' MTUs: frames of 577, 1501 and 9001 bytes are too big for some. */
const MTUS = [1500, 9000, 576];

describe('model-based: both table kinds against a reference model', () => {
  after(() => {
    const byName = [...counters.byName].sort(([a], [b]) => a.localeCompare(b)).map(([n, c]) => `${n} ${c}`);
    const errors = [...counters.errors].sort(([a], [b]) => a.localeCompare(b)).map(([n, c]) => `${n} ${c}`);
    testNote(
      `model-based (seed ${seed}): ${counters.runs} runs, ${counters.commands} commands (${byName.join(', ')}); ` +
        `expected errors met: ${errors.join(', ')}`
    );
  });

  for (const kind of ['array', 'hash'] as TableKind[]) {
    it(`${kind} table: set/get/delete/entry/conditional ops/batches/redirect/devices/unregister/close`, async () => {
      const scenario = fc
        .constantFrom(8, 16)
        .chain((maxEntries) => fc.tuple(fc.constant(maxEntries), tableCommands(kind, maxEntries, MTUS.length, MAX_COMMANDS)));
      await fc.assert(
        fc.asyncProperty(scenario, async ([maxEntries, commands]) => {
          counters.runs += 1;
          const ns = new Namespace(uniqueName('mb'));
          const devices = MTUS.map((mtu) => ns.createDevice(uniqueName('mb'), { mtu, ringSize: 256 }));
          const options = { maxEntries, namespace: ns };
          const table = kind === 'hash' ? new RedirectHashTable(options) : new RedirectTable(options);
          const model: TableModel = {
            kind,
            maxEntries,
            entries: new Map(),
            previous: new Map(),
            devices: devices.map((d) => ({ ifindex: d.ifindex, mtu: d.mtu, up: true, registered: true })),
            lastRevision: 0,
            closed: false,
            stats: { redirected: 0, misses: 0, down: 0, tooBig: 0 },
          };
          const real: TableReal = { table, devices, nextFrameId: 1 };
          try {
            await fc.asyncModelRun(() => ({ model, real }), commands);
            if (!model.closed) {
              assertSameContents(model, real, 'at the end');
              await table.close();
              model.closed = true;
            }
            await assertAllClosed(real);
          } finally {
            if (!table.closed) await table.close();
            await ns.destroy();
          }
        }),
        { seed, numRuns }
      );
    });
  }
});
