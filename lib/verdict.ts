// Frame verdicts. The values are the addon's (0 or a negative errno, as the kernel's devmap).

/** A frame's verdict: 0 delivered into the device's ring (`redirectOne`: queued), or a negative
 * errno saying why not. */
export const Verdict = Object.freeze({
  OK: 0,
  ENOENT: -2,
  EIO: -5,
  ENETDOWN: -100,
  EMSGSIZE: -90,
  ENOBUFS: -105,
} as const);

/** One of the `Verdict` values. */
export type Verdict = (typeof Verdict)[keyof typeof Verdict];

/** The verdicts known when a frame is queued, all `redirectOne` returns: a ring's refusal
 * (`ENOBUFS`, `EIO`) comes at transmit and is counted in `stats()` instead. */
export type EnqueueVerdict = typeof Verdict.OK | typeof Verdict.ENOENT | typeof Verdict.ENETDOWN | typeof Verdict.EMSGSIZE;

/** An `Int32Array` whose elements read as `Verdict`s (`SubmitQueue.verdicts`). */
export type VerdictArray = Int32Array & { [index: number]: Verdict };
