// Staged submission: frames written into arrays bound once to native memory, then redirected by
// submit(n) without converting any array argument per call.
import { cloneGuard, notCloneableError } from './clone-guard';
import { MAX_SUBMIT_CAPACITY as NATIVE_MAX_SUBMIT_CAPACITY } from './constants';
import { invalidArgType } from './errors';
import type { NativeTableHandle } from './native';
import type { VerdictArray } from './types';

/** Options of `RedirectTable.submitQueue`. */
export interface SubmitQueueOptions {
  /** Frames one `submit` can carry: an integer from 1 to 2^20 (default 256). */
  capacity?: number;
}

/** The largest `capacity` a submit queue can have (2^20). */
export const MAX_SUBMIT_CAPACITY: number = NATIVE_MAX_SUBMIT_CAPACITY;

const guard = cloneGuard(() =>
  notCloneableError('A SubmitQueue', 'make one in the other thread with table.submitQueue() on a handle opened there')
);

function outOfRange(name: string, max: number, value: number): RangeError {
  return Object.assign(new RangeError(`The "${name}" argument must be an integer >= 0 and <= ${max}. Received ${value}`), {
    code: 'ERR_OUT_OF_RANGE',
  });
}

/**
 * A staging area for one table handle, owned by the thread that made it: write frame i into
 * `keys[i]`, `ids[i]` and `lengths[i]`, then `submit(n)` redirects frames 0..n-1 exactly like
 * `redirect` (each element read once, everything flushed before it returns), writes their
 * verdicts into `verdicts[0..n)` and returns the number delivered into rings.
 */
export class SubmitQueue {
  /** Frames one `submit` can carry (the arrays' length). */
  declare readonly capacity: number;
  /** Slot (array table) or key (hash table) of each staged frame. */
  declare readonly keys: Uint32Array;
  /** Each staged frame's id, as `receive` hands it to the device's consumer. */
  declare readonly ids: Uint32Array;
  /** Each staged frame's length in bytes (checked against the device's MTU). */
  declare readonly lengths: Uint32Array;
  /** Written by `submit`: each frame's verdict (see `Verdict`). */
  declare readonly verdicts: VerdictArray;
  /**
   * Redirects staged frames 0..n-1; returns the frames delivered into rings.
   * @throws RedirectError EBADF (the table handle was closed), ENOMEM (nothing sent);
   *   TypeError / RangeError for an `n` that is not an integer in [0, capacity]
   */
  declare readonly submit: (n: number) => number;

  /** @internal Made by `RedirectTable.submitQueue`. */
  constructor(handle: NativeTableHandle, capacity: number) {
    guard(this);
    const bound = handle.submitQueue(capacity);
    let fields: Omit<SubmitQueue, 'capacity'>;
    if (bound !== undefined) {
      fields = bound;
    } else {
      // The runtime refuses external buffers (V8 sandbox builds): the arrays are ordinary ones
      // and submit passes windows of them to redirect (the same contract, with the argument
      // conversion redirect pays).
      const keys = new Uint32Array(capacity);
      const ids = new Uint32Array(capacity);
      const lengths = new Uint32Array(capacity);
      const verdicts = new Int32Array(capacity) as VerdictArray; // only redirect writes it
      const redirect = handle.redirect;
      const submit = (n: number): number => {
        if (typeof n !== 'number') throw invalidArgType('The "n" argument must be of type number');
        if (!(n >= 0 && n <= capacity) || n !== Math.floor(n)) throw outOfRange('n', capacity, n);
        return redirect(keys.subarray(0, n), ids.subarray(0, n), lengths.subarray(0, n), verdicts);
      };
      fields = { keys, ids, lengths, verdicts, submit };
    }
    Object.defineProperties(this, {
      capacity: { value: capacity, enumerable: true },
      keys: { value: fields.keys, enumerable: true },
      ids: { value: fields.ids, enumerable: true },
      lengths: { value: fields.lengths, enumerable: true },
      verdicts: { value: fields.verdicts, enumerable: true },
      submit: { value: fields.submit, enumerable: true },
    });
  }
}

/** Checks `options` and returns the capacity. */
export function submitCapacity(options: SubmitQueueOptions | undefined): number {
  if (options === undefined) return 256;
  if (typeof options !== 'object' || options === null) throw invalidArgType('The "options" argument must be of type object');
  const { capacity = 256 } = options;
  if (typeof capacity !== 'number') throw invalidArgType('The "options.capacity" argument must be of type number');
  if (!(capacity >= 1 && capacity <= MAX_SUBMIT_CAPACITY) || capacity !== Math.floor(capacity)) {
    throw Object.assign(
      new RangeError(`The "options.capacity" argument must be an integer >= 1 and <= ${MAX_SUBMIT_CAPACITY}. Received ${capacity}`),
      { code: 'ERR_OUT_OF_RANGE' }
    );
  }
  return capacity;
}
