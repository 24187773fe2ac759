// What every role is given, and small helpers they share.
import type { LatencySummary } from '../latency';
import type { ReadChecks } from '../checker';
import type { BenchOptions } from '../options';

export type Mode = 'mix' | 'writer' | 'quiet';

/** How a phase of `mode` is named in the report. */
export function modeLabel(mode: Mode): string {
  return mode === 'mix' ? '' : mode === 'writer' ? ' (updater only)' : ' (no writers)';
}

/** What a role needs of the command line, and who works in this phase besides the readers:
 * 'mix' every role; 'writer' the updater alone; 'quiet' nobody (the churner only sets up the pool). */
export type RoleOptions = Pick<BenchOptions, 'keys' | 'batch' | 'rate' | 'deleteRate' | 'churnMs' | 'pool'> & { mode: Mode };

/** xorshift32: a fast, seeded source of numbers below n. */
export function randomSource(seed: number): (n: number) => number {
  let state = seed | 1;
  return (n) => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) % n;
  };
}

export interface ReaderResult {
  role: 'reader';
  participant: number;
  get: { calls: number; hits: number; seconds: number };
  redirect: { offered: number; accepted: number; seconds: number };
  checks: ReadChecks;
  framesToUnregistered: number;
}

export interface WriterResult {
  role: 'updater' | 'deleter';
  participant: number;
  ops: number;
  /** sets refused because the device was gone; deletes that found nothing */
  refused: number;
  seconds: number;
  /** how far behind the shared schedule's clock the role was when the phase stopped */
  lagMs: number;
  latency: Record<string, LatencySummary>;
}

export interface ChurnerResult {
  role: 'churner';
  participant: number;
  devicesCreated: number;
  unregistrations: number;
  namespacesDestroyed: number;
  /** frames handed to released devices (transmitted, dropped or failed), drained by the churner,
   * and dropped (where the implementation has rings) */
  framesHanded: number;
  framesDrained: number;
  framesDropped: number;
  seconds: number;
  /** how far behind the shared schedule's clock the churner was when the phase stopped */
  lagMs: number;
  latency: Record<string, LatencySummary>;
}

export type RoleResult = ReaderResult | WriterResult | ChurnerResult;
