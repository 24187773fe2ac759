export { Namespace } from './namespace';
export { Device } from './device';
export type { DeviceOptions, DeviceState } from './device';
export { RedirectTable } from './redirect-table';
export type { RedirectTableOptions, TableEntry } from './redirect-table';
export { RedirectError, ERRNO } from './errors';
export type { RedirectErrorCode } from './errors';
