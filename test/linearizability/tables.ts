// In-process tables for the linearizability harness: a correct JS model, and deliberately broken
// ones the checker must catch.
import { RedirectError } from '../../lib';
import { WorkloadTable } from './workload';

interface Slot {
  ifindex: number;
  revision: number;
}

/** A correct single-threaded table with the real API's results (the control). */
export class ModelTable implements WorkloadTable {
  protected readonly slots = new Map<number, Slot>();
  private revision = 0;

  get(key: number): number | undefined {
    return this.slots.get(key)?.ifindex;
  }

  set(key: number, ifindex: number): number {
    this.revision += 1;
    this.slots.set(key, { ifindex, revision: this.revision });
    return this.revision;
  }

  delete(key: number): boolean {
    return this.slots.delete(key);
  }

  entry(key: number): { ifindex: number; revision: number } | undefined {
    const slot = this.slots.get(key);
    return slot && { ...slot };
  }

  compareAndDelete(key: number, revision: number): boolean {
    const slot = this.slots.get(key);
    if (slot === undefined) throw new RedirectError('ENOENT', 'no entry');
    if (slot.revision !== revision) throw new RedirectError('EBUSY', 'another revision');
    this.slots.delete(key);
    return true;
  }
}

/**
 * Broken: compareAndDelete is check-then-act against the entry this table last handed out by
 * entry() (a collector comparing with its snapshot instead of the live entry), so it deletes an
 * entry that a later set replaced: the Cilium conntrack-GC race, by construction.
 */
export class SnapshotCompareTable extends ModelTable {
  private readonly snapshots = new Map<number, number>();

  override entry(key: number): { ifindex: number; revision: number } | undefined {
    const entry = super.entry(key);
    if (entry) this.snapshots.set(key, entry.revision);
    return entry;
  }

  override compareAndDelete(key: number, revision: number): boolean {
    if (!this.slots.has(key)) throw new RedirectError('ENOENT', 'no entry');
    if (this.snapshots.get(key) !== revision) throw new RedirectError('EBUSY', 'another revision');
    this.slots.delete(key);
    return true;
  }
}

/** Broken: a read cache in front of a real table that is never invalidated (stale by construction). */
export class StaleReadTable implements WorkloadTable {
  private readonly cache = new Map<number, number | undefined>();

  constructor(private readonly inner: WorkloadTable) {}

  get(key: number): number | undefined {
    if (!this.cache.has(key)) this.cache.set(key, this.inner.get(key));
    return this.cache.get(key);
  }

  set(key: number, ifindex: number): number {
    return this.inner.set(key, ifindex);
  }

  delete(key: number): boolean {
    return this.inner.delete(key);
  }

  entry(key: number): { revision: number } | undefined {
    return this.inner.entry(key);
  }

  compareAndDelete(key: number, revision: number): boolean {
    return this.inner.compareAndDelete(key, revision);
  }
}

/**
 * Broken: the slot layout the package rejected (docs/design.md, "Zero-call get"): `get` reads an
 * ifindex mirror that a writer updates in a second step, after publishing the entry pointer, so
 * a get between the two steps returns what the entry replaced. Here the second step lands at
 * the table's next call, whoever makes it; the get reads before it lands.
 */
export class MirrorAfterPointerTable extends ModelTable {
  private readonly mirror = new Map<number, number>();
  private pending: (() => void) | undefined;

  private land(): void {
    const step = this.pending;
    this.pending = undefined;
    step?.();
  }

  override get(key: number): number | undefined {
    const ifindex = this.mirror.get(key);
    this.land();
    return ifindex;
  }

  override set(key: number, ifindex: number): number {
    this.land();
    const revision = super.set(key, ifindex);
    this.pending = () => this.mirror.set(key, ifindex);
    return revision;
  }

  override delete(key: number): boolean {
    this.land();
    const had = super.delete(key);
    this.pending = () => this.mirror.delete(key);
    return had;
  }

  override entry(key: number): { ifindex: number; revision: number } | undefined {
    this.land();
    return super.entry(key);
  }

  override compareAndDelete(key: number, revision: number): boolean {
    this.land();
    const deleted = super.compareAndDelete(key, revision);
    this.pending = () => this.mirror.delete(key);
    return deleted;
  }
}
