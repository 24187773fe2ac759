// Handles refuse to be structured-cloned (postMessage, workerData, structuredClone). Internal.

/** `code` of the error thrown when a handle is sent to another thread. */
export const NOT_CLONEABLE_CODE = 'ERR_REDIRECT_TABLE_NOT_CLONEABLE';

/** The own property whose getter throws; the only enumerable string key a clone reads first. */
export const CLONE_GUARD_KEY = 'notCloneable';

/**
 * The error a handle throws when something reads its `notCloneable` property, which is what
 * the structured clone of `postMessage` / `workerData` / `structuredClone` does: the clone
 * fails at once, in the sending thread, with a message that says what to send instead.
 */
export function notCloneableError(what: string, instead: string): Error {
  const error = new Error(
    `${what} is a handle of this thread and cannot be sent to another thread (postMessage, workerData, structuredClone): ${instead}`
  );
  error.name = 'DataCloneError';
  return Object.assign(error, { code: NOT_CLONEABLE_CODE });
}

/**
 * Makes `handle` fail structured cloning with `error()`. V8's serializer reads every own
 * enumerable string-keyed property with [[Get]] (Node 20, 22 and 24 alike), so an accessor
 * that throws aborts the clone synchronously with that error. One getter per class, so every
 * handle of a class keeps one hidden class.
 */
export function cloneGuard(error: (handle: object) => Error): (handle: object) => void {
  const descriptor: PropertyDescriptor = {
    get(this: object) {
      throw error(this);
    },
    enumerable: true,
    configurable: false,
  };
  return (handle) => Object.defineProperty(handle, CLONE_GUARD_KEY, descriptor);
}
