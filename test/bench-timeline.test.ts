import { strict as assert } from 'node:assert';
import { CONTROL } from '../bench/harness/shared-state';
import { SLACK_MS, Timeline } from '../bench/harness/timeline';

const control = (): Int32Array => new Int32Array(new SharedArrayBuffer(4 * 16));

describe('bench: the control plane shared schedule', () => {
  it('lets a role start a step only once the clock has reached it', () => {
    const c = control();
    const updater = new Timeline(c, 'updater', true);
    updater.begin();
    assert.equal(updater.mayStart(0), true);
    assert.equal(updater.mayStart(60_000), false);
    assert.ok(updater.lagMs(0) >= 0);
    assert.equal(updater.lagMs(60_000), 0);
  });

  it('holds a role back to the slower writer plus the slack, and lets the slower one go on', async () => {
    const c = control();
    const updater = new Timeline(c, 'updater', true);
    const deleter = new Timeline(c, 'deleter', true);
    const churner = new Timeline(c, 'churner', true);
    for (const t of [updater, deleter, churner]) t.begin();
    await new Promise((resolve) => setTimeout(resolve, 30));
    deleter.reached(20);
    // the updater is at 0: the deleter may not start at 20, but within the slack of 0 it may
    assert.equal(deleter.mayStart(20), false);
    assert.equal(deleter.mayStart(SLACK_MS), true);
    assert.equal(updater.mayStart(0), true, 'the slowest writer is never held back');
    assert.equal(churner.mayStart(SLACK_MS + 1), false, 'the churner follows the writers');
    updater.reached(20);
    assert.equal(deleter.mayStart(20), true);
    assert.equal(churner.mayStart(20), true);
    // the churner holds nobody back, even far behind
    assert.equal(updater.mayStart(20), true);
    assert.equal(Atomics.load(c, CONTROL.churnerAt), 0);
  });

  it('a role off the schedule (idle, flat out, or gone) holds nobody back', () => {
    const c = control();
    const updater = new Timeline(c, 'updater', false);
    const deleter = new Timeline(c, 'deleter', true);
    updater.begin();
    deleter.begin();
    assert.equal(updater.mayStart(1e9), true, 'flat out: no clock');
    assert.equal(updater.lagMs(0), 0);
    const busy = performance.now() + 10;
    while (performance.now() < busy) {
      // let the clock pass 5 ms
    }
    assert.equal(deleter.mayStart(5), true, 'not held back by an off-schedule updater');
    const other = new Timeline(c, 'updater', true);
    other.begin();
    assert.equal(deleter.mayStart(5), false, 'an updater on schedule at 0 holds it');
    other.leave();
    assert.equal(deleter.mayStart(5), true, 'one that left does not');
  });
});
