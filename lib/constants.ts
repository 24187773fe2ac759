// The core's constants that lib/ uses, read once from the addon (addon/napi/addon.cpp:
// make_constants, built from addon/core's constexprs), so lib/ repeats none of them. Internal:
// not part of the public API (Verdict and MAX_SUBMIT_CAPACITY are).
import { addon } from './addon';

const { verdicts, bulkSize, defaultMtu, defaultRingSize, rootNamespaceId, maxSubmitCapacity } = addon.constants;

/** Every verdict under its errno name, as the addon defines them (lib/verdict.ts checks them). */
export const NATIVE_VERDICTS: Readonly<Record<string, number>> = Object.freeze({ ...verdicts });
/** Frames per bulk: the most one transmit carries (a full bulk is transmitted at once). */
export const BULK_SIZE: number = bulkSize;
/** A device's MTU when none is given. */
export const DEFAULT_MTU: number = defaultMtu;
/** A device's ring size when none is given. */
export const DEFAULT_RING_SIZE: number = defaultRingSize;
/** The root namespace's id. */
export const ROOT_NAMESPACE_ID: number = rootNamespaceId;
/** The largest capacity of a submit queue. */
export const MAX_SUBMIT_CAPACITY: number = maxSubmitCapacity;
