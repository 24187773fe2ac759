// Shared between the conservation test and its redirector workers.
export const SEQ_BITS = 22; // frame id = worker << 22 | seq
export const MAX_WORKERS = 4;

export interface RedirectorData {
  tableId: number;
  worker: number;
  /** [0]: stop flag */
  control: Int32Array;
  /** bit id set once id was accepted (verdict 0) */
  accepted: Int32Array;
  keyCount: number;
  framesPerSecond: number;
}

export interface RedirectorReport {
  accepted: number;
  sent: number;
}

export function createAcceptedBitmap(): Int32Array {
  return new Int32Array(new SharedArrayBuffer((MAX_WORKERS << SEQ_BITS) / 8));
}
