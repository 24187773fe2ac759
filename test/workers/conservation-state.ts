// Shared between the conservation test and its redirector workers.
export const SEQ_BITS = 22; // frame id = worker << 22 | seq
export const MAX_WORKERS = 4;

export interface RedirectorData {
  tableId: number;
  worker: number;
  /** [0]: stop flag */
  control: Int32Array;
  /** bit id set once `redirect` delivered id (verdict 0) */
  delivered: Int32Array;
  /** bit id set once `redirectOne` queued id (verdict 0: delivered or dropped at the flush) */
  queued: Int32Array;
  /** bit id set once `redirect` reported the ring refused id (-ENOBUFS or -EIO) */
  refused: Int32Array;
  keyCount: number;
  framesPerSecond: number;
}

export interface RedirectorReport {
  delivered: number;
  /** what `redirect` returned, summed (must equal `delivered`) */
  returned: number;
  queued: number;
  refused: number;
  sent: number;
}

export function createIdBitmap(): Int32Array {
  return new Int32Array(new SharedArrayBuffer((MAX_WORKERS << SEQ_BITS) / 8));
}
