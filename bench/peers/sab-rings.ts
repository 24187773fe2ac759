// Device rings on a SharedArrayBuffer for the JS peers: each accepted frame costs them what it
// costs our tables, a descriptor (id, length) written into a ring cell that the main thread
// drains, frames grouped per device and handed over up to 16 at a time under the ring's lock
// (our bulk queues and sink), and a drop when the ring is full.
//
// A fixed set of rings serves every device (device % RINGS): the live devices of a phase (the
// pool and those being replaced) are far fewer than RINGS, and two devices sharing a ring share
// its work, not its frames' accounting (the host counts totals).
import { BULK_SIZE } from '../../lib/constants';

export const RINGS = 64;
export const RING_SIZE = 1 << 14; // frames per ring, as our benchmark devices
const BULK = BULK_SIZE;
const HEADER_INTS = 16; // one 64-byte line per ring: lock, head, tail, drops
const LOCK = 0;
const HEAD = 1;
const TAIL = 2;
const DROPS = 3;

export interface SabRings {
  header: Int32Array;
  /** RINGS × RING_SIZE cells of (id, length) */
  cells: Uint32Array;
}

export function createSabRings(): SabRings {
  return {
    header: new Int32Array(new SharedArrayBuffer(4 * HEADER_INTS * RINGS)),
    cells: new Uint32Array(new SharedArrayBuffer(4 * 2 * RINGS * RING_SIZE)),
  };
}

function lock(header: Int32Array, h: number): void {
  while (Atomics.compareExchange(header, h + LOCK, 0, 1) !== 0) {
    // spin: the holder copies at most BULK descriptors
  }
}

/** The producer side of one thread: stages frames per ring and hands them over in bulks. */
export class RingProducer {
  private readonly staged: Uint32Array = new Uint32Array(RINGS * BULK * 2);
  private readonly counts = new Uint8Array(RINGS);
  private readonly pending: number[] = [];

  constructor(private readonly rings: SabRings) {}

  /** Queues one frame for `device`; a full bulk goes to the ring at once. */
  send(device: number, id: number, length: number): void {
    const r = device % RINGS;
    let n = this.counts[r];
    if (n === 0) this.pending.push(r);
    const at = (r * BULK + n) * 2;
    this.staged[at] = id;
    this.staged[at + 1] = length;
    n += 1;
    this.counts[r] = n;
    if (n === BULK) this.transmit(r);
  }

  /** Hands every staged frame to its ring (at the end of each batch, as our redirect does). */
  flush(): void {
    for (const r of this.pending) if (this.counts[r] !== 0) this.transmit(r);
    this.pending.length = 0;
  }

  private transmit(r: number): void {
    const { header, cells } = this.rings;
    const h = r * HEADER_INTS;
    const n = this.counts[r];
    lock(header, h);
    const head = Atomics.load(header, h + HEAD);
    const tail = header[h + TAIL];
    const room = RING_SIZE - ((tail - head) | 0);
    const sent = Math.min(n, room);
    const base = r * RING_SIZE;
    for (let i = 0; i < sent; i += 1) {
      const cell = (base + ((tail + i) & (RING_SIZE - 1))) * 2;
      const at = (r * BULK + i) * 2;
      cells[cell] = this.staged[at];
      cells[cell + 1] = this.staged[at + 1];
    }
    if (sent < n) header[h + DROPS] += n - sent;
    Atomics.store(header, h + TAIL, (tail + sent) | 0);
    Atomics.store(header, h + LOCK, 0);
    this.counts[r] = 0;
  }
}

/** The consumer: takes every frame waiting in every ring (the host's tick). Returns how many. */
export function drainRings(rings: SabRings): number {
  const { header, cells } = rings;
  let taken = 0;
  let sink = 0;
  for (let r = 0; r < RINGS; r += 1) {
    const h = r * HEADER_INTS;
    const head = header[h + HEAD];
    const tail = Atomics.load(header, h + TAIL);
    const n = (tail - head) | 0;
    if (n === 0) continue;
    const base = r * RING_SIZE;
    for (let i = 0; i < n; i += 1) sink += cells[(base + ((head + i) & (RING_SIZE - 1))) * 2]; // read each descriptor, as a consumer would
    Atomics.store(header, h + HEAD, (head + n) | 0);
    taken += n;
  }
  return sink === -1 ? -1 : taken;
}

/** Frames dropped on full rings so far. */
export function ringDrops(rings: SabRings): number {
  let drops = 0;
  for (let r = 0; r < RINGS; r += 1) drops += Atomics.load(rings.header, r * HEADER_INTS + DROPS);
  return drops;
}
