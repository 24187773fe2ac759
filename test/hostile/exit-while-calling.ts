// Child process: workers loop on calls (one call each, or every call in turn) while someone
// calls process.exit().
//   node exit-while-calling.js main <code> <call>   the main thread exits with <code> once every
//                                                    worker is running
//   node exit-while-calling.js worker <code> <call>  one worker calls process.exit(<code>) while
//                                                    the others go on; the main thread then
//                                                    terminates the others, prints
//                                                    'worker exited <code>' and ends normally
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { setupTargets } from './setup-targets';

const [mode, codeText, call = '*'] = process.argv.slice(2);
const code = Number(codeText);
const WORKERS = 3;

async function main(): Promise<void> {
  const targets = setupTargets(`e${process.pid % 10000}`);
  const workers: Worker[] = [];
  const running: Promise<void>[] = [];
  const exits: Promise<number>[] = [];
  for (let i = 0; i < WORKERS; i += 1) {
    const exitAfter = mode === 'worker' && i === 0 ? { rounds: 20, code } : undefined;
    const worker = new Worker(path.join(__dirname, 'call-loop.js'), {
      workerData: { targets: targets.ids, call, tag: `e${i}-`, exitAfter },
    });
    exits.push(new Promise((resolve) => worker.once('exit', resolve)));
    // The exiting worker may be gone before it says it runs: its exit counts as started.
    running.push(Promise.race([new Promise<void>((resolve) => worker.once('message', () => resolve())), exits[i].then(() => {})]));
    workers.push(worker);
  }
  await Promise.all(running);
  if (mode === 'main') {
    setTimeout(() => process.exit(code), 5);
    return;
  }
  const exitCode = await exits[0];
  await Promise.all(workers.slice(1).map((worker) => worker.terminate()));
  await targets.close();
  process.stdout.write(`worker exited ${exitCode}\n`);
}

main().catch((error) => {
  process.stderr.write(`${error?.stack ?? error}\n`);
  process.exit(1);
});
