import * as assert from 'node:assert/strict';
import { RedirectTable, TraceEvent } from '../lib';
import { runChild } from './children/run';
import { useTableFixture } from './helpers';

const u32 = (values: number[]): Uint32Array => Uint32Array.from(values);

describe('trace listeners that throw', () => {
  const fixture = useTableFixture(8);
  let second: RedirectTable;
  let seen: TraceEvent[];
  let thrown: Error[];

  beforeEach(() => {
    const { table, a, b } = fixture;
    table.set(1, a.ifindex);
    table.set(2, b.ifindex);
    // Two handles of one table, each with a listener: the first throws at every event.
    second = RedirectTable.open(table.id);
    seen = [];
    thrown = [];
    table.setTrace(() => {
      const error = new Error(`listener failed (${thrown.length})`);
      thrown.push(error);
      throw error;
    });
    second.setTrace((event) => seen.push(event));
  });

  afterEach(async () => {
    await second.close();
  });

  const delivered = (): number[] => [fixture.a.stats().txFrames, fixture.b.stats().txFrames];

  it('redirect: every listener gets every event, then the call throws the first error', () => {
    assert.throws(
      () => fixture.table.redirect(u32([1, 2, 1]), u32([1, 2, 3]), u32([60, 60, 60])),
      (error) => error === thrown[0]
    );
    assert.equal(thrown.length, 2); // one event per destination
    assert.deepEqual(seen.map((e) => e.sent).sort(), [1, 2]);
    assert.deepEqual(delivered(), [2, 1]);
  });

  it('flush after redirectOne: same, and nothing is left for the end-of-task flush', () => {
    const { table } = fixture;
    assert.equal(table.redirectOne(1, 1, 60), 0);
    assert.equal(table.redirectOne(2, 2, 60), 0);
    assert.throws(() => table.flush(), (error) => error === thrown[0]);
    assert.equal(thrown.length, 2);
    assert.equal(seen.length, 2);
    assert.deepEqual(delivered(), [1, 1]);
  });

  it('broadcast: same', () => {
    assert.throws(
      () => fixture.table.broadcast(u32([1, 2]), u32([60, 60])),
      (error) => error === thrown[0]
    );
    assert.equal(thrown.length, 2);
    assert.equal(seen.length, 2);
    assert.deepEqual(delivered(), [2, 2]);
  });

  it('during the automatic end-of-task flush: the process survives, the error is a process warning, frames and events are delivered', () => {
    const run = runChild<{
      calls: number;
      events: number[];
      received: number[];
      txFrames: number;
      warnings: { name: string; code: string; causeIsThrown: boolean }[];
      unhandled: number;
    }>('throwing-trace-listener');
    assert.equal(run.status, 0, `child died (${run.signal ?? run.status}): ${run.stderr}`);
    assert.deepEqual(run.report, {
      calls: 1,
      events: [3], // the second handle's listener still got the bulk
      received: [0, 1, 2],
      txFrames: 3,
      warnings: [{ name: 'RedirectTableWarning', code: 'ERR_REDIRECT_TABLE_TRACE_LISTENER', causeIsThrown: true }],
      unhandled: 0,
    });
    assert.match(run.stderr, /RedirectTableWarning: A trace listener threw during the automatic end-of-task flush/);
  });
});
