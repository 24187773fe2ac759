// The compiled addon, loaded, and the shape of what it exports. Internal: not part of the public
// API. lib/ calls it through lib/native.ts (which gives it lib's hooks first); only the modules
// lib/native.ts itself needs (the trace switch) and lib/constants.ts use this one directly.
import * as path from 'node:path';
import type { RedirectError } from './errors';
import type { DeviceStats, EnqueueVerdict, MemoryUsage, TableInfo, TableStats, TraceEvent, VerdictArray } from './types';

/** An opaque native device handle (holds the device's memory, never its usage). */
export type NativeDevice = { readonly __nativeDevice: unique symbol };

/** An opaque native namespace handle (holds a reference on the namespace). */
export type NativeNamespace = { readonly __nativeNamespace: unique symbol };

export interface NativeDeviceInfo {
  serial: number;
  ifindex: number;
  name: string;
  mtu: number;
  up: boolean;
  state: string;
  usage: number;
}

export interface NativeTableHandle {
  readonly id: number;
  readonly maxEntries: number;
  readonly namespace: NativeNamespace;
  readonly kind: 'array' | 'hash';
  /** An array table's slot memory (lib/slot-reads.ts); absent where it cannot be read from JS. */
  readonly slots?: Int32Array;
  get(key: number): number | undefined;
  set(key: number, ifindex: number): number;
  delete(key: number): boolean;
  entry(key: number): { ifindex: number; revision: number; lastUsed: number } | undefined;
  compareAndDelete(key: number, revision: number): true;
  compareAndSet(key: number, ifindex: number, revision: number): number;
  /** Takes every entry's row into the handle; returns how many (then `takeRows`). */
  snapshot(): number;
  /** Copies the rows taken by `keys()` / `snapshot()` into the arrays given, and forgets them. */
  takeRows(keys?: Uint32Array, ifindexes?: Int32Array, revisions?: Float64Array, lastUsed?: Float64Array): void;
  compareAndDeleteBatch(keys: Uint32Array, revisions: Float64Array, lastUsed?: Float64Array, statuses?: Int32Array): number;
  /** Takes the keys into the handle; returns how many (then `takeRows`). */
  keys(): number;
  getBatch(keys: Uint32Array, out: Int32Array): number;
  setBatch(keys: Uint32Array, ifindexes: Int32Array | Uint32Array): number;
  deleteBatch(keys: Uint32Array): number;
  close(): Promise<void>;
  closed(): boolean;
  redirect(keys: Uint32Array, ids: Uint32Array, lengths: Uint32Array, verdicts?: Int32Array): number;
  redirectOne(key: number, id: number, length: number): EnqueueVerdict;
  flush(): void;
  broadcast(ids: Uint32Array, lengths: Uint32Array, excludeIfindex: number): number;
  stats(): TableStats;
  /** A staging area bound to native memory; undefined when the runtime refuses external buffers. */
  submitQueue(capacity: number): NativeSubmitQueue | undefined;
}

export interface NativeSubmitQueue {
  keys: Uint32Array;
  ids: Uint32Array;
  lengths: Uint32Array;
  verdicts: VerdictArray;
  submit(n: number): number;
}

/** The core's constants that lib/ uses (addon/napi/addon.cpp: make_constants). */
export interface NativeConstants {
  /** Every verdict under its errno name (addon/core/verdict.hpp). */
  readonly verdicts: Readonly<Record<string, number>>;
  /** Frames per bulk queue, the most one transmit carries (BulkQueues::kBulkSize). */
  readonly bulkSize: number;
  /** A device's MTU when none is given (kDefaultMtu). */
  readonly defaultMtu: number;
  /** A device's ring size when none is given (Sink::kDefaultSize). */
  readonly defaultRingSize: number;
  /** The root namespace's id (Namespace::kRootId). */
  readonly rootNamespaceId: number;
  /** The largest capacity of a submit queue (kMaxSubmitCapacity). */
  readonly maxSubmitCapacity: number;
}

export interface NativeAddon {
  constants: NativeConstants;
  setHooks(hooks: {
    RedirectError: typeof RedirectError;
    dispatchTrace: (events: TraceEvent[]) => void;
  }): void;
  flushThread(): void;
  coarseNow(): number;
  setTracing(on: boolean): void;
  /** Whether this thread records trace events now (tests check it is off when nobody listens). */
  tracing(): boolean;
  noop(): void;
  echo(value: number): number;
  /** Threads registered with liburcu by the addon right now (tests look for leaks). */
  registeredThreadCount(): number;
  /** Devices and namespaces allocated and not yet freed (leak checks). */
  liveObjects(): { devices: number; namespaces: number };
  /** How many times malloc arenas' free pages were handed back after workers ended. */
  arenaTrims(): { trims: number; longestMicros: number };
  /** Bytes the native core holds, by kind (lib/memory-usage.ts). */
  memoryUsage(): MemoryUsage;
  /** Per-thread counter slots taken by live threads right now (tests check they are returned). */
  liveThreadSlots(): number;
  createTable(maxEntries: number, namespace: NativeNamespace, kind: 'array' | 'hash'): NativeTableHandle;
  createNamespace(name: string): NativeNamespace;
  openNamespace(idOrName: number | string): NativeNamespace;
  listNamespaces(): NativeNamespace[];
  namespaceInfo(namespace: NativeNamespace): { id: number; name: string; state: string };
  destroyNamespace(namespace: NativeNamespace): Promise<void>;
  openTable(id: number): NativeTableHandle;
  liveTableCount(): number;
  /** Every live table of the process, ascending id. */
  listTables(): TableInfo[];
  createDevice(
    namespace: NativeNamespace,
    name: string,
    mtu: number,
    up: boolean,
    ringSize: number,
    netnsLocal: boolean
  ): NativeDevice;
  deviceMoveTo(device: NativeDevice, namespace: NativeNamespace, name: string | undefined): Promise<void>;
  createVethPair(
    ...ends: [
      a: NativeNamespace,
      nameA: string,
      mtuA: number,
      upA: boolean,
      ringSizeA: number,
      netnsLocalA: boolean,
      b: NativeNamespace,
      nameB: string,
      mtuB: number,
      upB: boolean,
      ringSizeB: number,
      netnsLocalB: boolean,
    ]
  ): [NativeDevice, NativeDevice];
  createUpper(
    lower: NativeDevice,
    kind: string,
    namespace: NativeNamespace,
    name: string,
    ...config: [mtu: number, up: boolean, ringSize: number, netnsLocal: boolean]
  ): NativeDevice;
  createTunnel(
    namespace: NativeNamespace,
    name: string,
    backend: NativeNamespace,
    ...config: [mtu: number, up: boolean, ringSize: number, netnsLocal: boolean]
  ): NativeDevice;
  deviceKind(device: NativeDevice): string;
  devicePeer(device: NativeDevice): NativeDevice | undefined;
  deviceLower(device: NativeDevice): NativeDevice | undefined;
  deviceBackend(device: NativeDevice): NativeNamespace | undefined;
  findDevice(namespace: NativeNamespace, key: number | string): NativeDevice | undefined;
  listDevices(namespace: NativeNamespace): NativeDevice[];
  deviceNamespace(device: NativeDevice): NativeNamespace;
  deviceInfo(device: NativeDevice): NativeDeviceInfo;
  deviceSerial(device: NativeDevice): number;
  deviceIfindex(device: NativeDevice): number;
  deviceName(device: NativeDevice): string;
  deviceMtu(device: NativeDevice): number;
  deviceIsUp(device: NativeDevice): boolean;
  deviceState(device: NativeDevice): string;
  deviceUsage(device: NativeDevice): number;
  deviceSetUp(device: NativeDevice, up: boolean): void;
  deviceSetMtu(device: NativeDevice, mtu: number): void;
  deviceUnregister(device: NativeDevice): Promise<void>;
  deviceReceive(device: NativeDevice, ids: Uint32Array, lengths?: Uint32Array): number;
  deviceReceiveCapacity(device: NativeDevice, ids: Uint32Array, lengths?: Uint32Array): number;
  /** undefined when frames are waiting or the device is released; else a Promise of either. */
  deviceReadable(device: NativeDevice): Promise<void> | undefined;
  deviceStats(device: NativeDevice): DeviceStats;
  deviceSetTransmitFault(device: NativeDevice, error: boolean, acceptAtMost: number | undefined): void;
}

// From dist/lib/addon.js: a build from source (build/Release) wins over the prebuilt binary the
// package ships for this platform (prebuilds/<platform>-<arch>, with liburcu beside it);
// scripts/install.js keeps the prebuilt one when it loads, else builds.
const packageDir = path.join(__dirname, '..', '..');
const builtPath = path.join(packageDir, 'build', 'Release', 'redirect_table.node');
const platform = `${process.platform}-${process.arch}`;
const prebuiltPath = path.join(packageDir, 'prebuilds', platform, 'redirect_table.node');

function missing(error: unknown, file: string): boolean {
  return (error as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' && String((error as Error).message).includes(file);
}

/** What went wrong loading the addon (neither candidate loaded), and how to fix it. */
function loadError(builtError: unknown, prebuiltError: unknown): Error {
  const [error, file] = missing(builtError, builtPath) ? [prebuiltError, prebuiltPath] : [builtError, builtPath];
  const message = error instanceof Error ? error.message : String(error);
  let why: string;
  if (missing(error, file)) {
    why =
      `its native addon was never built (${builtPath} is missing: installed with scripts ` +
      `disabled, or the build failed) and the package has no prebuilt binary for ${platform}. ` +
      'Build it with `npm rebuild redirect-table` (needs a C++20 compiler, make, python3 and ' +
      'liburcu: apt-get install -y build-essential python3 liburcu-dev pkg-config), or from ' +
      `${packageDir} with \`npx node-gyp rebuild\``;
  } else if (/liburcu[\w.-]*\.so/.test(message)) {
    why =
      'its native addon needs the liburcu runtime libraries, which this system lacks ' +
      '(apt-get install -y liburcu8, or liburcu8t64 on Ubuntu 24.04 and later; the -dev ' +
      `package also provides them). The loader said: ${message}`;
  } else {
    why = `its native addon ${file} could not be loaded: ${message}`;
    if (file === prebuiltPath) {
      why +=
        ' (the prebuilt binary is built for glibc and the C++ runtime of Debian 12 or Ubuntu 22.04 ' +
        'and later); build from source instead: `npm rebuild redirect-table --build-from-source`';
    }
  }
  return new Error(`redirect-table: ${why}`, { cause: error });
}

// Thrown by the addon itself when it loaded but refuses to start (the process is at its thread
// limit): about the process, not the file, so it goes to the caller as it is.
const refusedToStart = (error: unknown): boolean => (error as NodeJS.ErrnoException)?.code === 'ERR_REDIRECT_TABLE_THREAD_LIMIT';

function loadAddon(): NativeAddon {
  let builtError: unknown;
  try {
    return require(builtPath) as NativeAddon;
  } catch (error) {
    if (refusedToStart(error)) throw error;
    builtError = error;
  }
  try {
    return require(prebuiltPath) as NativeAddon;
  } catch (error) {
    if (refusedToStart(error)) throw error;
    throw loadError(builtError, error);
  }
}

export const addon: NativeAddon = loadAddon();
