// Recording operations with invoke / response stamps from a logical clock shared by every thread.
//
// The clock is one Int32 in a SharedArrayBuffer, advanced with Atomics.add (sequentially
// consistent) immediately before a call (its invoke stamp) and immediately after it returns or
// throws (its response stamp). Stamps are unique, and if A's response stamp is below B's invoke
// stamp then A's call had returned before B's call started, in any pair of threads.
import { RedirectError } from '../../lib';
import { OpName, Operation } from './checker';

export class SharedClock {
  readonly buffer: SharedArrayBuffer;
  private readonly cell: Int32Array;

  constructor(buffer: SharedArrayBuffer = new SharedArrayBuffer(4)) {
    this.buffer = buffer;
    this.cell = new Int32Array(buffer, 0, 1);
  }

  /** A fresh stamp, greater than every stamp taken before it by any thread. */
  tick(): number {
    return Atomics.add(this.cell, 0, 1) + 1;
  }
}

export interface OperationSink {
  append(op: Operation): void;
}

const OPS: readonly OpName[] = ['get', 'set', 'delete', 'compareAndDelete'];
const CODES: readonly string[] = ['ENOENT', 'EBUSY', 'E2BIG', 'ENODEV', 'EBADF', 'EINVAL', 'EEXIST', 'ENOMEM'];
const FIELDS = 8; // process, key, op, arg, result kind, result value, invoke, response
const enum Kind {
  Undefined = 0,
  Number = 1,
  Boolean = 2,
  Code = 3,
}

/** A single-writer operation log in a SharedArrayBuffer, readable by any thread. */
export class HistoryLog implements OperationSink {
  readonly buffer: SharedArrayBuffer;
  private readonly count: Int32Array;
  private readonly data: Float64Array;

  static create(capacity: number): HistoryLog {
    return new HistoryLog(new SharedArrayBuffer(8 + capacity * FIELDS * 8));
  }

  constructor(buffer: SharedArrayBuffer) {
    this.buffer = buffer;
    this.count = new Int32Array(buffer, 0, 1);
    this.data = new Float64Array(buffer, 8);
  }

  get capacity(): number {
    return this.data.length / FIELDS;
  }

  get length(): number {
    return Atomics.load(this.count, 0);
  }

  append(op: Operation): void {
    const i = Atomics.load(this.count, 0);
    if (i >= this.capacity) throw new RangeError(`history log full (${this.capacity} operations)`);
    const d = this.data;
    const base = i * FIELDS;
    d[base] = op.process;
    d[base + 1] = op.key;
    d[base + 2] = OPS.indexOf(op.op);
    d[base + 3] = op.arg ?? NaN;
    const r = op.result;
    if (r === undefined) {
      d[base + 4] = Kind.Undefined;
    } else if (typeof r === 'number') {
      d[base + 4] = Kind.Number;
      d[base + 5] = r;
    } else if (typeof r === 'boolean') {
      d[base + 4] = Kind.Boolean;
      d[base + 5] = r ? 1 : 0;
    } else {
      const code = CODES.indexOf(r);
      if (code < 0) throw new RangeError(`cannot log result ${r}`);
      d[base + 4] = Kind.Code;
      d[base + 5] = code;
    }
    d[base + 6] = op.invoke;
    d[base + 7] = op.response;
    Atomics.store(this.count, 0, i + 1); // publishes the record
  }

  read(): Operation[] {
    const n = this.length;
    const d = this.data;
    const ops: Operation[] = [];
    for (let i = 0; i < n; i += 1) {
      const base = i * FIELDS;
      const kind = d[base + 4] as Kind;
      const value = d[base + 5];
      const op: Operation = {
        process: d[base],
        key: d[base + 1],
        op: OPS[d[base + 2]],
        result:
          kind === Kind.Undefined ? undefined : kind === Kind.Number ? value : kind === Kind.Boolean ? value === 1 : CODES[value],
        invoke: d[base + 6],
        response: d[base + 7],
      };
      if (!Number.isNaN(d[base + 3])) op.arg = d[base + 3];
      ops.push(op);
    }
    return ops;
  }
}

export class ArraySink implements OperationSink {
  readonly ops: Operation[] = [];
  append(op: Operation): void {
    this.ops.push(op);
  }
}

/** What the recorder needs of a table (a RedirectTable, or a test double). */
export interface RecordableTable {
  get(key: number): number | undefined;
  set(key: number, ifindex: number): number;
  delete(key: number): boolean;
  compareAndDelete(key: number, revision: number): boolean;
}

/** Performs operations on a table for one process, stamping and logging each. */
export class Recorder {
  constructor(
    readonly clock: SharedClock,
    readonly sink: OperationSink,
    readonly process: number
  ) {}

  get(table: RecordableTable, key: number): number | undefined {
    const invoke = this.clock.tick();
    const result = table.get(key);
    const response = this.clock.tick();
    this.sink.append({ process: this.process, key, op: 'get', result, invoke, response });
    return result;
  }

  set(table: RecordableTable, key: number, ifindex: number): number {
    const invoke = this.clock.tick();
    const result = table.set(key, ifindex);
    const response = this.clock.tick();
    this.sink.append({ process: this.process, key, op: 'set', arg: ifindex, result, invoke, response });
    return result;
  }

  delete(table: RecordableTable, key: number): boolean {
    const invoke = this.clock.tick();
    const result = table.delete(key);
    const response = this.clock.tick();
    this.sink.append({ process: this.process, key, op: 'delete', result, invoke, response });
    return result;
  }

  /** true (or whatever else the table returns), or 'ENOENT' / 'EBUSY'; other errors are rethrown, unrecorded. */
  compareAndDelete(table: RecordableTable, key: number, revision: number): boolean | 'ENOENT' | 'EBUSY' {
    let result: boolean | 'ENOENT' | 'EBUSY';
    const invoke = this.clock.tick();
    try {
      result = table.compareAndDelete(key, revision);
    } catch (error) {
      const response = this.clock.tick();
      if (!(error instanceof RedirectError) || (error.code !== 'ENOENT' && error.code !== 'EBUSY')) throw error;
      result = error.code;
      this.sink.append({ process: this.process, key, op: 'compareAndDelete', arg: revision, result, invoke, response });
      return result;
    }
    const response = this.clock.tick();
    this.sink.append({ process: this.process, key, op: 'compareAndDelete', arg: revision, result, invoke, response });
    return result;
  }
}

/**
 * A one-shot start line in a SharedArrayBuffer: each participant calls arrive() and blocks in
 * wait() until the coordinator (which must not block: the main thread) calls release() after
 * seeing every participant arrive.
 */
export class StartBarrier {
  readonly buffer: SharedArrayBuffer;
  private readonly cells: Int32Array; // [arrived, participants once released, running]

  constructor(buffer: SharedArrayBuffer = new SharedArrayBuffer(12)) {
    this.buffer = buffer;
    this.cells = new Int32Array(buffer, 0, 3);
  }

  arrive(): void {
    Atomics.add(this.cells, 0, 1);
  }

  get arrived(): number {
    return Atomics.load(this.cells, 0);
  }

  /** Blocks until released, then runs together with the others. */
  wait(): void {
    while (Atomics.load(this.cells, 1) === 0) Atomics.wait(this.cells, 1, 0);
    this.runTogether();
  }

  /** Lets every waiter go; `participants` counts them and the caller. */
  release(participants: number): void {
    Atomics.store(this.cells, 1, participants);
    Atomics.notify(this.cells, 1);
  }

  /**
   * Spins until every participant is running (at most 5 s), so that all start at one moment:
   * woken one after another, short workloads could otherwise run one after the other and never
   * overlap.
   */
  runTogether(): void {
    Atomics.add(this.cells, 2, 1);
    const until = performance.now() + 5000;
    while (Atomics.load(this.cells, 2) < Atomics.load(this.cells, 1) && performance.now() < until) {
      // spin
    }
  }
}
