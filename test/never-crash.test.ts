import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { CALLS } from './hostile/calls';

// Hostile but legal users around the package: workers terminated during every public call,
// process.exit() from the main thread and from workers while others call in, the package
// loaded twice into one environment, and all of it mixed with the datapath and device churn.
// Each scenario runs in a child process, so a crash is seen as its signal, not as mocha dying.

const hostile = (file: string): string => path.join(__dirname, 'hostile', file);

// The Node binary of the child processes: this one, or another line's (N-API is ABI-stable, so
// the same addon loads), e.g. REDIRECT_TABLE_CHILD_NODE=/path/to/node24/bin/node npm test.
const childNode = process.env.REDIRECT_TABLE_CHILD_NODE ?? process.execPath;

function runChild(file: string, args: string[], timeoutMs: number): { status: number | null; signal: string | null; stdout: string; stderr: string } {
  const result = spawnSync(childNode, [hostile(file), ...args], { encoding: 'utf8', timeout: timeoutMs });
  return { status: result.status, signal: result.signal, stdout: result.stdout, stderr: result.stderr };
}

function lastJson(stdout: string): Record<string, unknown> {
  const line = stdout.trim().split('\n').pop() ?? '';
  assert.ok(line.startsWith('{'), `the child printed no result: ${JSON.stringify(stdout)}`);
  return JSON.parse(line) as Record<string, unknown>;
}

describe('the process survives hostile users', function () {
  this.timeout(600_000);

  // Terminations per call: 50, or HOSTILE_TERMINATIONS (CI runs the full count once, on the
  // machine's Node, and fewer on each other line).
  const perCall = Number(process.env.HOSTILE_TERMINATIONS ?? 50);

  it(`a worker terminated during any public call: ${perCall} terminations per call`, () => {
    const run = runChild('terminate-every-call.js', [String(perCall)], 540_000);
    assert.equal(run.signal, null, `the process died of ${run.signal}: ${run.stderr.slice(-2000)}`);
    assert.equal(run.status, 0, run.stderr.slice(-2000));
    const { terminations, errors } = lastJson(run.stdout) as { terminations: Record<string, number>; errors: string[] };
    assert.deepEqual(Object.keys(terminations).sort(), Object.keys(CALLS).sort());
    for (const [call, count] of Object.entries(terminations)) assert.ok(count >= perCall, `${call}: ${count} terminations`);
    assert.deepEqual(errors, [], 'calls failed with something other than a RedirectError');
  });

  for (const call of ['device.stats', '*']) {
    it(`process.exit(7) from the main thread while workers call ${call === '*' ? 'everything' : call}`, () => {
      for (let i = 0; i < 5; i += 1) {
        const run = runChild('exit-while-calling.js', ['main', '7', call], 60_000);
        assert.equal(run.signal, null, `run ${i}: died of ${run.signal}: ${run.stderr.slice(-2000)}`);
        assert.equal(run.status, 7, `run ${i}: ${run.stderr.slice(-2000)}`);
      }
    });
  }

  it('process.exit(3) from a worker while others call in: the process goes on', () => {
    for (let i = 0; i < 5; i += 1) {
      const run = runChild('exit-while-calling.js', ['worker', '3'], 60_000);
      assert.equal(run.signal, null, `run ${i}: died of ${run.signal}: ${run.stderr.slice(-2000)}`);
      assert.equal(run.status, 0, run.stderr.slice(-2000));
      assert.match(run.stdout, /^worker exited 3$/m);
    }
  });

  it('the package loaded twice (cleared require cache, process.dlopen) shares every object', () => {
    const run = runChild('load-twice.js', [], 60_000);
    assert.equal(run.signal, null, `died of ${run.signal}: ${run.stderr.slice(-2000)}`);
    assert.equal(run.status, 0, run.stderr.slice(-2000));
    const result = lastJson(run.stdout);
    const expected = {
      distinct: true,
      raw: [true, true],
      sameDevice: true,
      seenBySecond: 1,
      seenByFirst: 1,
      accepted: 2,
      received: [10, 20, 30],
      errorCode: 'E2BIG:true',
      stateAfter: 'released',
    };
    assert.deepEqual(result, { main: expected, worker: expected });
  });

  it('terminations, exits and reloads mixed with the datapath and unregistrations', () => {
    const run = runChild('mixed-stress.js', ['30'], 300_000);
    assert.equal(run.signal, null, `died of ${run.signal}: ${run.stderr.slice(-2000)}`);
    assert.equal(run.status, 0, run.stderr.slice(-2000));
    assert.deepEqual(lastJson(run.stdout), {
      rounds: 30,
      unregistered: 30,
      exitCodes: 30,
      framesAfterUnregister: 0,
      roundsWithTraffic: 30,
      registrationsLeaked: 0,
      slotsLeaked: 0,
    });
  });
});
