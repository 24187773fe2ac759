// Shared between the storm test and its workers.
export interface StormData {
  role: 'traffic' | 'veth' | 'stack';
  worker: number;
  namespaceNames: string[];
  tableIds: number[];
  /** [0] stop flag; [1] set once the main thread checked the parked structures */
  control: Int32Array;
  /** [0] frames delivered (what redirect() returned), [1] tx + drops + errors of every device created, [2] frames received,
   * [3] txFrames of every device created, [4] devices reported */
  tally: BigInt64Array;
}

export const TALLY = { delivered: 0, handed: 1, received: 2, tx: 3, devices: 4 } as const;
