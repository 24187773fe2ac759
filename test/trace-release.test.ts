import * as assert from 'node:assert/strict';
import { RedirectTable, TraceEvent } from '../lib';
import { tracedHandleCount } from '../lib/trace';
import { collectGarbage, createDevice } from './helpers';

const TABLES = 20;
const BUFFER_BYTES = 8 * 1024 * 1024;

// Tables with listeners that close over their table and a large buffer, dropped without close().
function dropTracedTables(listenerCollected: FinalizationRegistry<number>): void {
  for (let i = 0; i < TABLES; i += 1) {
    const table = new RedirectTable({ maxEntries: 4 });
    const buffer = new Uint8Array(BUFFER_BYTES);
    const listener = (event: TraceEvent): void => {
      buffer[0] = event.sent;
      void table.id;
    };
    table.setTrace(listener);
    listenerCollected.register(listener, i);
  }
}

describe('trace listener lifetime', () => {
  it('a table dropped without close() releases its listener (and what it closes over)', async () => {
    const before = tracedHandleCount();
    const collected = new Set<number>();
    const listenerCollected = new FinalizationRegistry<number>((i) => collected.add(i));

    // A table that stays: its listener keeps working after the others are collected.
    const dev = createDevice();
    const kept = new RedirectTable({ maxEntries: 4 });
    kept.set(0, dev.ifindex);
    const events: TraceEvent[] = [];
    kept.setTrace((event) => events.push(event));

    dropTracedTables(listenerCollected);
    assert.equal(tracedHandleCount(), before + TABLES + 1);
    for (let round = 0; round < 20 && (collected.size < TABLES || tracedHandleCount() > before + 1); round += 1) {
      await collectGarbage();
    }
    assert.equal(collected.size, TABLES, 'listeners of dropped tables were collected');
    assert.equal(tracedHandleCount(), before + 1, 'the registry forgot the dropped tables');

    kept.redirect(Uint32Array.of(0), Uint32Array.of(1), Uint32Array.of(60));
    assert.equal(events.length, 1);
    await kept.close();
    assert.equal(tracedHandleCount(), before);
    await dev.unregister();
  });
});
