import * as assert from 'node:assert/strict';
import { runChild } from './children/run';

interface Report {
  txAtNextMacrotask: number;
  leavingState: string;
  parked: number;
  thenCalls: number;
}

describe('automatic end-of-task flush', () => {
  for (const mode of ['after-load', 'before-load']) {
    it(`does not depend on queueMicrotask, Promise or Promise.prototype.then (replaced ${mode.replace('-', ' ')})`, () => {
      const run = runChild<Report>('replaced-globals', [mode]);
      assert.ok(run.report, `child failed (${run.signal ?? run.status}): ${run.stderr}`);
      // The two queued frames reached the ring before the next macrotask ...
      assert.equal(run.report.txAtNextMacrotask, 2);
      assert.equal(run.status, 0, `child failed (${run.signal ?? run.status}): ${run.stderr}`);
      // ... and the unregistration that needed this thread's section closed completed, while
      // the replaced queueMicrotask never ran anything.
      assert.equal(run.report.leavingState, 'released');
      assert.equal(run.report.parked, 0);
    });
  }
});
