// Child process: for each public call, starts workers that loop on it and terminates each at a
// random moment (during start-up, or after some calls), ROUNDS times per call. Prints one JSON
// line { terminations: { call: n }, errors: [...] }. A crash shows as the child's signal.
//   node terminate-every-call.js [rounds] [call-name-filter]
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { CALLS } from './calls';
import { setupTargets } from './setup-targets';

const rounds = Number(process.argv[2] ?? 50);
const filter = process.argv[3] ?? '';
const LANES = 3;

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function main(): Promise<void> {
  const targets = setupTargets(`x${process.pid % 10000}`);
  const terminations: Record<string, number> = {};
  const errors: string[] = [];
  const jobs: string[] = [];
  for (const call of Object.keys(CALLS).filter((name) => name.includes(filter))) {
    terminations[call] = 0;
    for (let i = 0; i < rounds; i += 1) jobs.push(call);
  }
  let next = 0;
  let seed = 12345;
  const random = (n: number): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  async function lane(laneIndex: number): Promise<void> {
    while (next < jobs.length) {
      const index = next++;
      const call = jobs[index];
      const worker = new Worker(path.join(__dirname, 'call-loop.js'), {
        workerData: { targets: targets.ids, call, tag: `w${laneIndex}${index.toString(36)}-` },
      });
      let terminateAt = Infinity; // when terminate() was asked for (call-loop.ts says why)
      const running = new Promise<void>((resolve) =>
        worker.on('message', (message: 'running' | { error: string; at: number }) => {
          if (message === 'running') resolve();
          else if (message.at < terminateAt) errors.push(`${call}: ${message.error}`);
        })
      );
      // An uncaught error ends the worker. Once terminate() is under way, module loading can
      // see the same refused N-API calls (a half-loaded module, a hook read as undefined): such
      // an error carries no time, so only those that arrive before the request count. A real
      // start-up error shows in the rounds that wait for 'running' before terminating.
      worker.on('error', (error) => {
        if (performance.timeOrigin + performance.now() < terminateAt) errors.push(`${call}: ${error.message}`);
      });
      const exited = new Promise<void>((resolve) => worker.on('exit', () => resolve()));
      // One round in five terminates during start-up; the rest after the loop ran a while.
      if (index % 5 !== 0) await Promise.race([running, exited]);
      await delay(random(4));
      // A termination that never completes is a hang: name the call and fail.
      const watchdog = setTimeout(() => {
        process.stderr.write(`hang: terminating a worker calling ${call} did not complete in 30 s\n`);
        process.exit(3);
      }, 30_000);
      terminateAt = performance.timeOrigin + performance.now();
      await worker.terminate();
      await exited;
      clearTimeout(watchdog);
      terminations[call] += 1;
    }
  }
  await Promise.all(Array.from({ length: LANES }, (_, i) => lane(i)));
  await targets.close();
  process.stdout.write(`${JSON.stringify({ terminations, errors })}\n`);
}

main().catch((error) => {
  process.stderr.write(`${error?.stack ?? error}\n`);
  process.exit(1);
});
