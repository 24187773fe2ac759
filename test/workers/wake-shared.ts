// Shared between the readable() / frames() tests (test/readable.test.ts,
// test/children/readable-terminate.ts) and their workers.

/** Tells a wake-producer worker to send frames `first`, `first + 1`, ... to key 0. */
export interface SendCommand {
  kind: 'send';
  first: number;
  count: number;
  /** Frames per redirect() call (each call flushes bulks of up to 16 frames). */
  batch: number;
  /** Yield to the event loop between calls (lets other threads interleave). */
  yieldEvery?: number;
}

/** Tells a wake-producer worker to send until control[0] becomes non-zero. */
export interface SendUntilCommand {
  kind: 'send-until';
  control: Int32Array;
}

/** What a wake-producer answers to a SendCommand: the ids accepted (verdict 0). */
export interface SendReport {
  kind: 'sent';
  accepted: number[];
}

export interface ProducerData {
  tableId: number;
}

export type ConsumerMode = 'readable' | 'frames' | 'wait-many' | 'wait-then-exit';

export interface ConsumerData {
  namespaceId: number;
  ifindex: number;
  mode: ConsumerMode;
}

/** What a wake-consumer posts. */
export type ConsumerMessage =
  | { kind: 'waiting' }
  | { kind: 'resolved'; queued: number }
  | { kind: 'frames'; ids: number[]; steps: number };
