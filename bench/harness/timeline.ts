// The control plane's shared schedule. The updater, the deleter and the churner each work
// through a timeline in milliseconds from the phase's start: the updater's position is its sets
// divided by --rate, the deleter's its deletes divided by --delete-rate, the churner's its rounds
// times --churn-ms. A role starts its next step only once the clock has reached it, and never
// more than SLACK_MS ahead of the updater or the deleter.
//
// So an implementation whose writers are starved (readers holding a lock) runs the same
// schedule more slowly instead of a different mix: the deletes and purges that empty entries
// keep pace with the sets that fill them, the table's occupancy (and the readers' hit rate)
// is the same for every implementation, and each role's lag says how far the schedule fell
// behind the clock. The churner follows the writers but does not hold them back: each of its
// rounds waits for an unregistration, whose latency is a figure of its own.
import { CONTROL } from './shared-state';

export type ScheduledRole = 'updater' | 'deleter' | 'churner';

/** How far a role may run ahead of the slowest writer, in milliseconds of the schedule. */
export const SLACK_MS = 2;

const SLOT: Record<ScheduledRole, number> = { updater: CONTROL.updaterAt, deleter: CONTROL.deleterAt, churner: CONTROL.churnerAt };
const PACE_SETTERS: readonly ScheduledRole[] = ['updater', 'deleter'];
/** Positions are published in units of 10 µs (an Int32 holds ~5.9 hours). */
const UNITS_PER_MS = 100;
/** Published by a role that keeps no schedule (idle, flat out, or done): it holds nobody back. */
const OFF_SCHEDULE = 0x7fffffff;

export class Timeline {
  private start = 0;

  /** Call before the start barrier: every role's position is then published before any begins. */
  constructor(
    private readonly control: Int32Array,
    private readonly role: ScheduledRole,
    /** false for a role that is idle or runs flat out */
    readonly onSchedule: boolean
  ) {
    Atomics.store(control, SLOT[role], onSchedule ? 0 : OFF_SCHEDULE);
  }

  /** Call once the barrier is passed: the schedule's time 0. */
  begin(): void {
    this.start = performance.now();
  }

  elapsedMs(): number {
    return performance.now() - this.start;
  }

  /** Whether a step that begins at `positionMs` of the schedule may start now. */
  mayStart(positionMs: number): boolean {
    if (!this.onSchedule) return true;
    if (positionMs > this.elapsedMs()) return false;
    for (const other of PACE_SETTERS) {
      if (other === this.role) continue;
      const at = Atomics.load(this.control, SLOT[other]);
      if (at !== OFF_SCHEDULE && positionMs > at / UNITS_PER_MS + SLACK_MS) return false;
    }
    return true;
  }

  /** Publishes that this role has done its steps up to `positionMs`. */
  reached(positionMs: number): void {
    if (this.onSchedule) Atomics.store(this.control, SLOT[this.role], Math.floor(positionMs * UNITS_PER_MS));
  }

  /** Milliseconds the role at `positionMs` is behind the clock (0 when on time or off schedule). */
  lagMs(positionMs: number): number {
    return this.onSchedule ? Math.max(0, this.elapsedMs() - positionMs) : 0;
  }

  /** Stops holding the others back (the role has left its loop). */
  leave(): void {
    Atomics.store(this.control, SLOT[this.role], OFF_SCHEDULE);
  }
}
