// Worker churn for the soak: short-lived workers, started at a steady rate, that open a table
// by id, read and redirect through it, and either exit on their own or are terminated in the
// middle of a call. Every worker leaves per-thread state behind in the package (thread slot,
// liburcu registration, bulk queues, an environment's handles) that must all be returned.
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';

export interface WorkerChurnStats {
  started: number;
  exited: number;
  terminated: number;
  failed: number;
}

export interface WorkerChurn {
  readonly stats: WorkerChurnStats;
  /** Stops starting workers and waits for the running ones to end. */
  stop(): Promise<void>;
}

export interface WorkerChurnTarget {
  tableId: number;
  ifindex: number;
}

/** Starts `perSecond` workers a second against `target` until stop(). */
export function startWorkerChurn(target: WorkerChurnTarget, perSecond: number): WorkerChurn {
  const stats: WorkerChurnStats = { started: 0, exited: 0, terminated: 0, failed: 0 };
  const running = new Set<Promise<void>>();
  const file = path.join(__dirname, 'churn-worker.js');
  const startOne = (): void => {
    const terminate = stats.started % 2 === 1;
    stats.started += 1;
    const worker = new Worker(file, { workerData: { ...target, loop: terminate } });
    const ended = new Promise<void>((resolve) => {
      worker.once('error', () => {
        stats.failed += 1;
      });
      worker.once('exit', (code) => {
        if (terminate) stats.terminated += 1;
        else if (code === 0) stats.exited += 1;
        else stats.failed += 1;
        resolve();
      });
    });
    if (terminate) worker.once('online', () => setTimeout(() => void worker.terminate(), 5 + (stats.started % 20)));
    running.add(ended);
    void ended.then(() => running.delete(ended));
  };
  const timer = perSecond > 0 ? setInterval(startOne, 1000 / perSecond) : undefined;
  return {
    stats,
    async stop() {
      if (timer !== undefined) clearInterval(timer);
      await Promise.all([...running]);
    },
  };
}
