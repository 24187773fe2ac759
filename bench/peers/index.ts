// Creates an implementation's host (main thread) and clients (workers) by name.
import type { PhaseShared } from '../harness/shared-state';
import { sabClient, sabHost } from './js-sab';
import { mapClient, mapHost } from './js-map';
import { lockedClient, lockedHost } from './native-locked';
import { oursClient, oursHost } from './ours';
import type { ClientContext, ImplHost, ImplName, TableClient } from './types';

export interface HostOptions {
  keys: number;
  /** threads that take part: readers plus the control roles */
  participants: number;
  /** a number unique to the phase (device and namespace names) */
  phase: number;
}

export function createHost(name: ImplName, options: HostOptions, shared: PhaseShared): ImplHost {
  switch (name) {
    case 'redirect-table':
      return oursHost('array', options.keys, options.phase, shared);
    case 'redirect-table hash':
      return oursHost('hash', options.keys, options.phase, shared);
    case 'js-sab-atomics':
      return sabHost(options.keys);
    case 'js-map-postmessage':
      return mapHost(options.participants);
    case 'native-shared-mutex':
      return lockedHost('shared_mutex', options.keys, shared);
    case 'native-mutex':
      return lockedHost('mutex', options.keys, shared);
  }
}

export function createClient(name: ImplName, descriptor: unknown, context: ClientContext): TableClient {
  switch (name) {
    case 'redirect-table':
    case 'redirect-table hash':
      return oursClient(descriptor, context);
    case 'js-sab-atomics':
      return sabClient(descriptor, context);
    case 'js-map-postmessage':
      return mapClient(descriptor, context);
    case 'native-shared-mutex':
    case 'native-mutex':
      return lockedClient(descriptor, context);
  }
}
