// One phase of the benchmark: one implementation, a number of reader threads and the control
// roles, started together on a barrier; per-call gets for the first half, batched redirect for
// the second; a progress line while it runs.
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { createHost } from '../peers';
import { HostSummary, ImplName, isOurs, Role } from '../peers/types';
import type { RoleWorkerData } from './role-worker';
import { ChurnerResult, Mode, modeLabel, ReaderResult, RoleOptions, RoleResult, WriterResult } from './roles/common';
import { CONTROL, createPhaseShared, STATE } from './shared-state';

export interface PhaseSpec {
  impl: ImplName;
  readers: number;
  /** seconds, split evenly between per-call gets and batched redirect */
  duration: number;
  options: RoleOptions;
  /** a number unique to the phase */
  phase: number;
  /** called about twice a second with a line describing progress */
  onProgress?: (line: string) => void;
}

export interface PhaseResult {
  /** the round of the run it belongs to (set by the bench; 1 when run alone) */
  round?: number;
  impl: ImplName;
  readers: number;
  mode: Mode;
  reader: ReaderResult[];
  updater?: WriterResult;
  deleter?: WriterResult;
  churner: ChurnerResult;
  host: HostSummary;
  /** derived sums */
  getPerSecond: number;
  /** frames accepted per second (found an entry), summed over the readers */
  framesPerSecond: number;
  /** frames offered per second (looked up and sent or missed): the readers' datapath rate, the
   * figure to compare between phases whose tables hold different numbers of entries */
  framesOfferedPerSecond: number;
  /** accepted / offered */
  redirectHitRate: number;
  correctness: {
    readsChecked: number;
    staleReads: number;
    readsAfterUnregister: number;
    framesAfterUnregister: number;
    framesAccepted: number;
    framesReceived: number;
    framesDropped: number;
    /** accepted = received + dropped (where the implementation has rings) */
    conserved: boolean;
    examples: string[];
  };
}

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function runPhase(spec: PhaseSpec): Promise<PhaseResult> {
  const { impl, readers, options } = spec;
  const roles: Role[] = [...new Array<Role>(readers).fill('reader'), 'updater', 'deleter', 'churner'];
  const shared = createPhaseShared(options.keys, options.pool);
  const host = createHost(impl, { keys: options.keys, participants: roles.length, phase: spec.phase }, shared);
  const workerFile = path.join(__dirname, 'role-worker.js');
  const results = roles.map((role, participant) => {
    const { descriptor, transferList } = host.descriptorFor(participant);
    const workerData: RoleWorkerData = { impl, descriptor, role, participant, readers, shared, options };
    const worker = new Worker(workerFile, { workerData, transferList });
    return new Promise<RoleResult>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`bench: ${role} ${participant} exited with code ${code} before reporting`)));
    });
  });
  const failed = Promise.race(results.map((r) => r.then(() => new Promise<never>(() => {}))));
  const until = async (done: () => boolean): Promise<void> => {
    while (!done()) {
      host.tick();
      await Promise.race([delay(1), failed]);
    }
  };

  await until(() => Atomics.load(shared.control, CONTROL.arrived) === roles.length);
  const setState = (state: number): void => {
    Atomics.store(shared.control, CONTROL.state, state);
    Atomics.notify(shared.control, CONTROL.state);
  };
  const label = `${impl}${modeLabel(options.mode)}, ${readers} reader${readers === 1 ? '' : 's'}`;
  let lastProgress = 0;
  const report = (what: string, since: number): void => {
    const now = performance.now();
    if (spec.onProgress === undefined || now - lastProgress < 500) return;
    lastProgress = now;
    let ops = 0;
    for (let i = 0; i < readers; i += 1) ops += shared.progress[i];
    spec.onProgress(`${label}: ${what} ${((now - since) / 1000).toFixed(1)}s, ${(ops / 1e6).toFixed(1)} M reader ops`);
  };
  for (const [state, what] of [
    [STATE.get, 'per-call get'],
    [STATE.redirect, 'batched redirect'],
  ] as const) {
    setState(state);
    const begun = performance.now();
    const end = begun + (spec.duration * 1000) / 2;
    await until(() => {
      report(what, begun);
      return performance.now() >= end;
    });
  }
  setState(STATE.stop);
  const settled = Promise.all(results);
  let finished = false;
  void settled.then(() => (finished = true), () => (finished = true));
  await until(() => finished);
  const all = await settled;
  const summary = await host.finish();
  return summarize(spec, all, summary);
}

function summarize(spec: PhaseSpec, all: RoleResult[], host: HostSummary): PhaseResult {
  const reader = all.filter((r): r is ReaderResult => r.role === 'reader');
  const churner = all.find((r): r is ChurnerResult => r.role === 'churner')!;
  const writer = (role: 'updater' | 'deleter'): WriterResult | undefined => {
    const { mode } = spec.options;
    if (mode === 'quiet' || (mode === 'writer' && role === 'deleter')) return undefined;
    return all.find((r): r is WriterResult => r.role === role);
  };
  const sum = (f: (r: ReaderResult) => number): number => reader.reduce((n, r) => n + f(r), 0);
  const ours = isOurs(spec.impl);
  const received = ours ? host.framesReceived + churner.framesDrained : host.framesReceived;
  const dropped = ours ? churner.framesDropped : (host.framesDropped ?? 0);
  // Our redirect returns the frames delivered into rings; the peers return the frames accepted
  // and drop at their rings later. Accepted = delivered + dropped for ours.
  const returned = sum((r) => r.redirect.accepted);
  const accepted = ours ? returned + dropped : returned;
  const acceptedPerReturned = returned === 0 ? 1 : accepted / returned;
  return {
    impl: spec.impl,
    readers: spec.readers,
    mode: spec.options.mode,
    reader,
    updater: writer('updater'),
    deleter: writer('deleter'),
    churner,
    host,
    getPerSecond: sum((r) => r.get.calls / r.get.seconds),
    framesPerSecond: sum((r) => r.redirect.accepted / r.redirect.seconds) * acceptedPerReturned,
    framesOfferedPerSecond: sum((r) => r.redirect.offered / r.redirect.seconds),
    redirectHitRate: accepted / Math.max(1, sum((r) => r.redirect.offered)),
    correctness: {
      readsChecked: sum((r) => r.checks.checked),
      staleReads: sum((r) => r.checks.stale),
      readsAfterUnregister: sum((r) => r.checks.afterUnregister),
      framesAfterUnregister: host.framesAfterUnregister + sum((r) => r.framesToUnregistered),
      framesAccepted: accepted,
      framesReceived: received,
      framesDropped: dropped,
      conserved: ours ? accepted === churner.framesHanded && received + dropped === accepted : accepted === received + dropped,
      examples: reader.flatMap((r) => r.checks.examples).slice(0, 6),
    },
  };
}
