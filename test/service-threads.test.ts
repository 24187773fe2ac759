import * as assert from 'node:assert/strict';
import { runSuites } from './children/run-suites';

// The package's own threads (the reclaimer that runs grace-period callbacks, the purge worker
// that walks tables for unregistrations and moves) may fail to start; the fallbacks then take
// over: liburcu's call_rcu worker and purges on the calling thread.
describe('service threads', () => {
  if (process.env.REDIRECT_TABLE_SERVICE_THREADS !== '0') {
    it('without them (REDIRECT_TABLE_SERVICE_THREADS=0) the unregistration, move, namespace and worker suites pass', function () {
      this.timeout(120_000);
      const run = runSuites(['device', 'move', 'namespace', 'datapath', 'workers', 'kinds'], { REDIRECT_TABLE_SERVICE_THREADS: '0' });
      assert.equal(run.failed, 0, run.stdout.slice(-4000));
      assert.ok(run.passed >= 60, run.stdout.slice(-2000));
      assert.equal(run.status, 0, run.stderr.slice(-2000));
    });
  }
});
