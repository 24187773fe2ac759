// What the harness needs from a table implementation: the same operations, done by ours and by
// each peer, so that every implementation runs the same workload on the same threads.
import type { PhaseShared } from '../harness/shared-state';

export const IMPLEMENTATIONS = [
  'redirect-table',
  'redirect-table hash',
  'js-sab-atomics',
  'js-map-postmessage',
  'native-shared-mutex',
  'native-mutex',
] as const;
export type ImplName = (typeof IMPLEMENTATIONS)[number];

/** True for our own tables (their correctness counters must be zero, or the run fails). */
export const isOurs = (name: ImplName): boolean => name.startsWith('redirect-table');

/** Who runs a client: reader threads are participants 0..readers-1, then the control roles. */
export type Role = 'reader' | 'updater' | 'deleter' | 'churner';

export interface ClientContext {
  shared: PhaseShared;
  /** this thread's participant number */
  participant: number;
  readers: number;
  role: Role;
}

/** One thread's view of an implementation. Device ids are numbers the implementation hands out. */
export interface TableClient {
  /** The device of `key`, 0 when there is none. */
  get(key: number): number;
  /** Sends frame i to the device of `keys[i]`; returns the frames accepted (ours: delivered
   * into rings; what the rings refused is in the devices' drop counters). */
  redirect(keys: Uint32Array, ids: Uint32Array, lengths: Uint32Array): number;
  /** Points `key` at `device`; false when refused because the device is gone. */
  set(key: number, device: number): boolean;
  /** Empties `key`; true when it held an entry. */
  delete(key: number): boolean;
  /** Reads `key`'s entry and deletes it only if it is still that entry; true when deleted. */
  compareAndDelete(key: number): boolean;
  createDevice(): number;
  /** Unregisters `device`; resolves when the implementation says it is gone. */
  unregister(device: number): Promise<void>;
  /** Namespaces, where the implementation has them: a device whose namespace `destroy` tears
   * down (with the device). */
  createDeviceInNewNamespace?(): { device: number; destroy(): Promise<void> };
  /** Where devices have rings: after `device`'s unregistration resolved, drains its ring and
   * reads its counters (frames handed to it: transmitted, dropped or failed). */
  afterRelease?(device: number): { handed: number; dropped: number; drained: number };
  /** Frames this thread transmitted to a device after its unregistration had resolved. */
  framesToUnregistered(): number;
  /** Exchanges pending messages (message-passing peers); a no-op elsewhere. */
  poll(): void;
  close(): Promise<void>;
}

/** The main thread's side of an implementation for one phase. */
export interface ImplHost {
  /** workerData for participant `n` and what to transfer with it. */
  descriptorFor(participant: number): { descriptor: unknown; transferList: Transferable[] };
  /** Called every millisecond or so while the phase runs (drains rings where there are some). */
  tick(): void;
  /** After every worker exited: final sums. */
  finish(): Promise<HostSummary>;
}

type Transferable = import('node:worker_threads').TransferListItem;

export interface HostSummary {
  /** Frames the main thread took out of the devices' rings (ours) or that the devices counted
   * (peers, which have no rings). */
  framesReceived: number;
  /** Frames refused by full rings, where the host knows them (the churner counts ours). */
  framesDropped?: number;
  /** Frames the devices were handed after their unregistration resolved. */
  framesAfterUnregister: number;
}
