// The addon as lib/ calls it: loaded by lib/addon.ts, then handed the error class it throws and
// the trace dispatcher, once, before any module can call it (every caller imports this module).
// Internal: not part of the public API.
import { addon } from './addon';
import { RedirectError } from './errors';
import { dispatchTrace } from './trace';

export type { NativeAddon, NativeDevice, NativeDeviceInfo, NativeNamespace, NativeSubmitQueue, NativeTableHandle } from './addon';

addon.setHooks({ RedirectError, dispatchTrace });

export const native = addon;
