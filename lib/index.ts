export { Namespace } from './namespace';
export type { NamespaceState } from './namespace';
export { Device } from './device';
export type { DeviceKind, DeviceOptions, DevicePlacement, DeviceState, DeviceStats, MoveOptions, TransmitFault } from './device';
export { RedirectHashTable, RedirectTable, Verdict } from './redirect-table';
export type { BroadcastOptions, RedirectTableOptions, TableEntry, TableSnapshot, TableStats, TraceEvent } from './redirect-table';
export { RedirectError, ERRNO } from './errors';
export type { RedirectErrorCode } from './errors';
