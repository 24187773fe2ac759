import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runSuites } from './children/run-suites';

// The package's own threads (the reclaimer that runs grace-period callbacks, the purge worker
// that walks tables for unregistrations and moves) may fail to start; the fallbacks then take
// over: liburcu's call_rcu worker, purges and cross-namespace unregister work on the calling thread.
describe('service threads', () => {
  if (process.env.REDIRECT_TABLE_SERVICE_THREADS !== '0') {
    it('without them (REDIRECT_TABLE_SERVICE_THREADS=0) the unregistration, move, namespace and worker suites pass', function () {
      this.timeout(120_000);
      const run = runSuites(['device', 'move', 'namespace', 'datapath', 'workers', 'kinds'], { REDIRECT_TABLE_SERVICE_THREADS: '0' });
      assert.equal(run.failed, 0, run.stdout.slice(-4000));
      assert.ok(run.passed >= 60, run.stdout.slice(-2000));
      assert.equal(run.status, 0, run.stderr.slice(-2000));
    });

    it('without them, unregistrations across namespaces start no thread and still complete', function () {
      this.timeout(60_000);
      const script = path.join(__dirname, 'children', 'thread-count.js');
      const run = spawnSync(process.execPath, [script], {
        env: { ...process.env, REDIRECT_TABLE_SERVICE_THREADS: '0' },
        encoding: 'utf8',
        timeout: 50_000,
      });
      assert.equal(run.status, 0, run.stderr.slice(-2000));
      const report = JSON.parse(run.stdout.trim().split('\n').pop() ?? '') as { before: number; after: number; states: string[] };
      assert.deepEqual(report.states, Array(12).fill('released'));
      assert.equal(report.after, report.before, 'threads started by cross-namespace unregistrations');
    });

    // The thread limit itself: RLIMIT_NPROC lowered to what the user runs (test/children/thread-limit.ts).
    const atThreadLimit = (mode: string, ...args: string[]): Record<string, unknown> => {
      const run = spawnSync(process.execPath, [path.join(__dirname, 'children', 'thread-limit.js'), mode, ...args], {
        encoding: 'utf8',
        timeout: 50_000,
      });
      assert.equal(run.signal, null, `the process died of ${run.signal}: ${run.stderr.slice(-2000)}`);
      assert.equal(run.status, 0, run.stderr.slice(-2000));
      return JSON.parse(run.stdout.trim().split('\n').pop() ?? '') as Record<string, unknown>;
    };

    it('at the thread limit, loading the package throws ERR_REDIRECT_TABLE_THREAD_LIMIT instead of ending the process', function () {
      this.timeout(60_000);
      // A copy of the package any user can read (dist/lib and the addon): the child loads it
      // after dropping root.
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-thread-limit-'));
      try {
        fs.chmodSync(dir, 0o755);
        fs.cpSync(path.join(__dirname, '..', 'lib'), path.join(dir, 'dist', 'lib'), { recursive: true });
        fs.mkdirSync(path.join(dir, 'build', 'Release'), { recursive: true });
        fs.copyFileSync(path.join(__dirname, '..', '..', 'build', 'Release', 'redirect_table.node'), path.join(dir, 'build', 'Release', 'redirect_table.node'));
        spawnSync('chmod', ['-R', 'a+rX', dir]);
        const report = atThreadLimit('load', path.join(dir, 'dist', 'lib'));
        assert.equal(report.limited, true, 'the limit did not take: a process could still be started');
        assert.equal(report.loaded, false);
        assert.equal(report.code, 'ERR_REDIRECT_TABLE_THREAD_LIMIT');
        assert.match(String(report.message), /thread limit/);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    it('at the thread limit after loading, namespaces, tables and devices are made and used', function () {
      this.timeout(60_000);
      const report = atThreadLimit('after-load');
      assert.equal(report.limited, true, 'the limit did not take: a process could still be started');
      assert.deepEqual(report.got, [true, true]);
    });

    it('at the thread limit, unregistrations across namespaces complete and the process lives', function () {
      this.timeout(60_000);
      const report = atThreadLimit('cross-namespace');
      assert.equal(report.limited, true, 'the limit did not take: a process could still be started');
      assert.deepEqual(report.states, Array(4).fill('released'));
    });

    it('at the thread limit before any thread of ours started, an unregistration waits (the process lives) and completes once the limit is lifted, and the threads start then', function () {
      this.timeout(60_000);
      const report = atThreadLimit('first-use');
      assert.equal(report.limited, true, 'the limit did not take: a process could still be started');
      assert.deepEqual(report.atLimit, { settled: false, state: 'unregistering', get: null });
      assert.equal(report.lifterStatus, 0);
      assert.deepEqual(report.states, ['released', 'released']);
      assert.equal(report.threadsStarted, 2, 'the reclaimer and the purge worker start once the limit is lifted');
    });
  }
});
