// The micro suite's fixture, in numbers (no native code here: the command line's help uses it).
export const MAX_ENTRIES = 1024;
export const DEVICE_COUNT = 16;
export const BATCH_SIZES = [1, 16, 256, 4096] as const;
export const DEFAULT_MAX_TIME = 1.5;
