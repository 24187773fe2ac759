/** Error codes thrown as `RedirectError.code` (kernel errno names). */
export type RedirectErrorCode =
  | 'EINVAL'
  | 'E2BIG'
  | 'EEXIST'
  | 'ENOENT'
  | 'EBUSY'
  | 'ENODEV'
  | 'ENETDOWN'
  | 'EMSGSIZE'
  | 'EBADF'
  | 'ENOMEM';

/** Linux errno numbers of the codes (positive; `RedirectError.errno` is the negative value). */
export const ERRNO: Readonly<Record<RedirectErrorCode, number>> = Object.freeze({
  EINVAL: 22,
  E2BIG: 7,
  EEXIST: 17,
  ENOENT: 2,
  EBUSY: 16,
  ENODEV: 19,
  ENETDOWN: 100,
  EMSGSIZE: 90,
  EBADF: 9,
  ENOMEM: 12,
});

/**
 * An operation the table, a namespace or a device refused. `code` names the reason the way
 * the kernel would (`ENODEV`, `E2BIG`, ...); `errno` is the negative errno number, as in
 * Node's own system errors. Wrong argument types and ranges throw `TypeError` / `RangeError`
 * (with Node's `ERR_INVALID_ARG_TYPE` / `ERR_OUT_OF_RANGE` / `ERR_INVALID_ARG_VALUE` codes).
 */
export class RedirectError extends Error {
  readonly code: RedirectErrorCode;
  readonly errno: number;

  constructor(code: RedirectErrorCode, message?: string) {
    super(message ?? code);
    this.name = 'RedirectError';
    this.code = code;
    this.errno = -(ERRNO[code] ?? 0);
  }
}

/** A RangeError carrying Node's `ERR_OUT_OF_RANGE` code. */
export function outOfRange(message: string): RangeError {
  return Object.assign(new RangeError(message), { code: 'ERR_OUT_OF_RANGE' });
}

/** A TypeError carrying Node's `ERR_INVALID_ARG_TYPE` code. */
export function invalidArgType(message: string): TypeError {
  return Object.assign(new TypeError(message), { code: 'ERR_INVALID_ARG_TYPE' });
}
