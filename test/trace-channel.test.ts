import * as assert from 'node:assert/strict';
import * as diagnosticsChannel from 'node:diagnostics_channel';
import { once } from 'node:events';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { RedirectTable, TRACE_CHANNEL, TraceEvent } from '../lib';
import { native } from '../lib/native';
import { tracedHandleCount } from '../lib/trace';
import { runChild } from './children/run';
import { assertTypeError, useTableFixture } from './helpers';

const u32 = (values: number[]): Uint32Array => Uint32Array.from(values);
// Whether native tracing is as it must be with no subscriber: on only for trace listeners.
const tracingWithoutSubscribers = (): boolean => tracedHandleCount() > 0;

describe('trace channel (diagnostics_channel)', () => {
  const fixture = useTableFixture(8);
  let published: TraceEvent[];
  const collect = (event: unknown): void => void published.push(event as TraceEvent);

  beforeEach(() => {
    published = [];
    diagnosticsChannel.subscribe(TRACE_CHANNEL, collect);
  });
  afterEach(() => {
    diagnosticsChannel.unsubscribe(TRACE_CHANNEL, collect);
    assert.equal(native.tracing(), tracingWithoutSubscribers(), 'tracing off again with the last subscriber');
  });

  it(`is named '${TRACE_CHANNEL}'`, () => {
    assert.equal(TRACE_CHANNEL, 'redirect-table:trace');
  });

  it('publishes every trace event of this thread, of every table, the same objects its listeners get', async () => {
    const { table, a, b } = fixture;
    table.set(1, a.ifindex);
    table.set(2, b.ifindex);
    const listened: TraceEvent[] = [];
    table.setTrace((event) => listened.push(event));
    const untraced = new RedirectTable({ maxEntries: 2 }); // no listener: still published
    untraced.set(0, a.ifindex);

    assert.equal(native.tracing(), true);
    table.redirect(u32([1, 2, 1]), u32([1, 2, 3]), u32([60, 60, 60]));
    table.broadcast(u32([4]), u32([60]), { excludeIfindex: b.ifindex });
    untraced.redirect(u32([0]), u32([5]), u32([60]));

    assert.equal(published.length, 4);
    assert.deepEqual(listened, published.slice(0, 3));
    listened.forEach((event, i) => assert.equal(event, published[i], 'one event object for both'));
    const byDestination = (events: TraceEvent[]): TraceEvent[] => [...events].sort((x, y) => x.toIfindex - y.toIfindex);
    assert.deepEqual(byDestination(published.slice(0, 2)), [
      { tableId: table.id, fromIfindex: 0, toIfindex: a.ifindex, sent: 2, drops: 0, errors: 0 },
      { tableId: table.id, fromIfindex: 0, toIfindex: b.ifindex, sent: 1, drops: 0, errors: 0 },
    ]);
    assert.deepEqual(published[2], { tableId: table.id, fromIfindex: b.ifindex, toIfindex: a.ifindex, sent: 1, drops: 0, errors: 0 });
    assert.deepEqual(published[3], { tableId: untraced.id, fromIfindex: 0, toIfindex: a.ifindex, sent: 1, drops: 0, errors: 0 });
    table.setTrace(null);
    await untraced.close();
  });

  it('a subscriber that is not a function is refused (TypeError) and leaves tracing as it was', () => {
    diagnosticsChannel.unsubscribe(TRACE_CHANNEL, collect);
    assertTypeError(() => diagnosticsChannel.subscribe(TRACE_CHANNEL, 42 as unknown as diagnosticsChannel.ChannelListener));
    assert.equal(diagnosticsChannel.channel(TRACE_CHANNEL).hasSubscribers, false);
    assert.equal(native.tracing(), tracingWithoutSubscribers());
    diagnosticsChannel.subscribe(TRACE_CHANNEL, collect);
  });

  it("a subscriber gets its own thread's events only; another thread traces only while it subscribes itself", async () => {
    type Report = { tableId: number; atStart: boolean; subscribed: boolean; unsubscribed: boolean; events: TraceEvent[] };
    const worker = new Worker(path.join(__dirname, 'workers', 'trace-channel-worker.js'));
    const exited = once(worker, 'exit').catch(() => undefined); // an 'error' rejects the report below
    // Fails with the step the worker was at, rather than at mocha's timeout, if a Promise of the
    // worker never settles or the worker ends without reporting.
    let step = 'starting';
    const report = await new Promise<Report>((resolve, reject) => {
      const stalled = setTimeout(() => reject(new Error(`the worker has been ${step} for 20 s`)), 20_000);
      worker.on('message', (m: Report | { step: string }) => {
        if ('step' in m) {
          step = m.step;
          return;
        }
        clearTimeout(stalled);
        resolve(m);
      });
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`the worker exited (${code}) while ${step}, without reporting`)));
    }).finally(() => void worker.terminate());
    await exited;
    assert.deepEqual(
      { atStart: report.atStart, subscribed: report.subscribed, unsubscribed: report.unsubscribed },
      { atStart: false, subscribed: true, unsubscribed: false },
      "the main thread's subscriber does not switch the worker's tracing on"
    );
    assert.deepEqual(report.events.map((e) => [e.tableId, e.sent]), [[report.tableId, 1]], 'only the frame sent while subscribed');
    assert.deepEqual(published.filter((e) => e.tableId === report.tableId), [], "no event of the worker's calls here");
  });
});

describe('trace channel subscribers, in a process of their own', () => {
  const nodes = [process.execPath];
  // Another Node line as well, as for the hostile tests (the same addon loads: N-API).
  const other = process.env.REDIRECT_TABLE_CHILD_NODE;
  if (other && other !== process.execPath) nodes.push(other);

  for (const node of nodes) {
    it(`native tracing is on exactly while the channel has a subscriber, however it subscribed (${node === process.execPath ? `Node ${process.version}` : node})`, () => {
      const run = runChild<{
        earlyEvent: TraceEvent;
        tableId: number;
        ifindex: number;
        badSubscribe: string;
        steps: [string, boolean, number][];
      }>('trace-channel-switch', [], node);
      assert.equal(run.status, 0, run.stderr);
      const report = run.report!;
      assert.deepEqual(report.earlyEvent, { tableId: report.tableId, fromIfindex: 0, toIfindex: report.ifindex, sent: 1, drops: 0, errors: 0 });
      assert.equal(report.badSubscribe, 'ERR_INVALID_ARG_TYPE');
      // [step, native tracing after it, events received from one frame redirected after it]
      assert.deepEqual(report.steps, [
        ['subscribed before load', true, 1],
        ['dc.unsubscribe(name) returned', true, 0],
        ['after dc.unsubscribe(name)', false, 0],
        ['channel.subscribe', true, 1],
        ['and dc.subscribe(name)', true, 2],
        ['channel.unsubscribe of one of two', true, 1],
        ['dc.unsubscribe(name) of the last', false, 0],
        ['unsubscribe of a stranger returned', false, 0],
        ['after unsubscribe of a stranger', false, 0],
        ['after a refused subscribe', false, 0],
        ['bindStore (hasSubscribers, no subscriber)', true, 0],
        ['unbindStore', false, 0],
        ['listener removed, subscriber left', true, 1],
        ['subscriber removed, listener left', true, 1],
        ['both removed', false, 0],
      ]);
    });
  }

  it('a subscriber that throws: the call returns, every listener and subscriber gets every event, the error is an uncaught exception on the next tick', () => {
    const run = runChild<{ accepted: number; thrown: number; listened: number[]; published: number[]; txFrames: number; caught: number[] }>(
      'throwing-trace-subscriber',
      ['handled']
    );
    assert.equal(run.status, 0, run.stderr);
    // redirect (one bulk of 2), then 3 frames of redirectOne sent by the automatic flush.
    assert.deepEqual(run.report, { accepted: 2, thrown: 2, listened: [2, 3], published: [2, 3], txFrames: 5, caught: [0, 1] });
    assert.doesNotMatch(run.stderr, /RedirectTableWarning/, 'not a trace listener error');
  });

  it("without an 'uncaughtException' handler, that error ends the process, after the call returned (Node's behaviour)", () => {
    const run = runChild<{ accepted: number; thrown: number; listened: number[]; published: number[]; txFrames: number }>(
      'throwing-trace-subscriber'
    );
    assert.equal(run.signal, null);
    assert.equal(run.status, 1);
    assert.deepEqual(run.report, { accepted: 2, thrown: 1, listened: [2], published: [2], txFrames: 2 });
    assert.match(run.stderr, /Error: subscriber failed \(0\)/);
  });
});
