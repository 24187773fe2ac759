// Worker: opens the call targets, says it is running, then runs one call (or every call in turn)
// until it is terminated or told to call process.exit().
import { parentPort, workerData } from 'node:worker_threads';
import { CALLS, CallTargets, openContext } from './calls';

const { targets, call, tag, exitAfter } = workerData as {
  targets: CallTargets;
  /** One name of CALLS, or '*' for every call in turn. */
  call: string;
  tag: string;
  /** Calls process.exit(exitAfter.code) after this many rounds. */
  exitAfter?: { rounds: number; code: number };
};

const context = openContext(targets, tag);
const names = call === '*' ? Object.keys(CALLS) : [call];
const bodies = names.map((name) => CALLS[name]);
let round = 0;
// An unexpected error is reported once the worker has run on past it, with the time it was
// made: while terminate() is under way, N-API refuses to make values and the JS still running
// until the engine stops it can see an `undefined` result. That window can last several
// milliseconds on a loaded machine (the terminating thread may be descheduled between closing
// the environment to JS calls and stopping the engine), so the parent discards errors made after
// it asked for the termination; an error made before that is a real one.
let unexpected: { error: string; at: number } | undefined;
parentPort?.postMessage('running');
for (;;) {
  for (const body of bodies) {
    if (unexpected !== undefined) {
      parentPort?.postMessage(unexpected);
      unexpected = undefined;
    }
    try {
      const result = body(context);
      // Promises (close, unregister, destroy) settle on their own; a rejection is not a crash.
      if (result instanceof Promise) result.catch(() => {});
    } catch (error) {
      // A RedirectError under the other workers' churn is expected; anything else is reported.
      if (!(error instanceof Error) || !('code' in error)) {
        unexpected = { error: String(error), at: performance.timeOrigin + performance.now() };
      }
    }
  }
  round += 1;
  if (exitAfter && round === exitAfter.rounds) process.exit(exitAfter.code);
}
