// Reads of an array table without a native call. The addon hands each environment one view of
// the table's slot memory (an Int32Array: slot `key`'s ifindex is element 4 * key + 2, 0 when
// empty), and every write replaces a slot's pointer and ifindex in one atomic step, so a plain
// read of that element sees each write at the same instant as a native lookup
// (docs/design.md, "Zero-call get"). Anything unusual (a key that is not an in-range integer,
// a closed handle) goes to the native call, which throws what it always did. Without a view
// (the runtime refuses external buffers, or the CPU lacks the 16-byte compare-exchange) both
// reads are the native calls.
import type { NativeTableHandle } from './native';

type Entry = { ifindex: number; revision: number; lastUsed: number };

export interface SlotReads {
  get: (key: number) => number | undefined;
  entry: (key: number) => Entry | undefined;
  /** This handle was closed: from now on every read goes to the native call (EBADF). */
  close(): void;
}

export function slotReads(handle: NativeTableHandle): SlotReads {
  const view = handle.slots;
  const nativeGet = handle.get;
  const nativeEntry = handle.entry;
  if (view === undefined) return { get: nativeGet, entry: nativeEntry, close() {} };
  const maxEntries = handle.maxEntries;
  let open = true;
  return {
    get: (key) => {
      if (open && typeof key === 'number' && key >>> 0 === key && key < maxEntries) {
        const ifindex = view[key * 4 + 2];
        return ifindex === 0 ? undefined : ifindex;
      }
      return nativeGet(key);
    },
    // The revision and lastUsed live in the entry: only an empty slot is answered here.
    entry: (key) => {
      if (open && typeof key === 'number' && key >>> 0 === key && key < maxEntries && view[key * 4 + 2] === 0) return undefined;
      return nativeEntry(key);
    },
    close() {
      open = false;
    },
  };
}
