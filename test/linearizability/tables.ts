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
