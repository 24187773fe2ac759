/*
 * slot-protocol.pml: the array table's slot protocol against device unregistration.
 *
 * What is modelled (addon/core):
 *   array_table.cpp  update() = Entry::resolve + publish(): exchange a fresh entry into a slot
 *                    inside a read-side section, retire the old one, then
 *                    recheck_published(): read entry->device, load its state, and when the
 *                    device is no longer registered take the entry back with a
 *                    compare-exchange (and retire it) if it is still in the slot.
 *                    remove(): exchange null, retire the old entry.
 *                    purge_stale(): for each slot, load it, read entry->device and its state,
 *                    and compare-exchange it to null when the device is no longer registered
 *                    (retire on success).
 *                    lookup(): read-side section + load of a slot, then the entry is used.
 *                    Slots are 16 bytes, { Entry* entry; int32_t ifindex; uint32_t unused },
 *                    ifindex being entry ? entry->ifindex : 0. Every write of a slot (the
 *                    exchanges, the compare-exchanges, drain) replaces both words in one
 *                    lock cmpxchg16b; an exchange is a cmpxchg16b loop and its successful
 *                    iteration is the modelled step. ifx[k] is slot k's ifindex word; device
 *                    d has ifindex d + 1.
 *                    get() (JS): a plain load of the slot's ifindex word only: no read-side
 *                    section, no dereference; it returns that ifindex (undefined for 0).
 *   entry.cpp        retire() = call_after_grace_period (reclaimer.cpp); the callback
 *                    destroys the entry and releases the device usage reference it held.
 *   device.cpp       acquire_usage() only while usage > 0; the release that brings usage to 0
 *                    finishes the unregistration; mark_unregistering() = seq_cst store of the
 *                    state + seq_cst fence.
 *   device_unregister.cpp
 *                    unregister_device(): mark unregistering, then queue the purge on the
 *   purge_worker     purge worker, whose walk (purge every table inside a read-side section)
 *   table_registry   starts after the mark (the queue's mutex orders them) and is followed by
 *                    dropping the base usage reference; the caller's `done` runs once usage is
 *                    0 (when_unregistered). The worker's thread is this process continuing.
 *   rcu.hpp          read-side sections and grace periods (urcu-memb, call_rcu).
 *
 * MEMORY MODEL: sequentially consistent. Every shared access below is one atomic step and
 * steps interleave arbitrarily. That is what the code relies on: the accesses that race in
 * the protocol are seq_cst (the publisher's exchange / state load / compare-exchange, the
 * purge's compare-exchange, mark_unregistering's store followed by a seq_cst fence), which
 * gives the Dekker pairing "publisher: xchg slot; load state" versus "unregisterer: store
 * state; fence; load slots": at least one side sees the other. (remove()'s exchange is
 * acq_rel in the code; it takes part in no store-load pairing, so SC loses nothing there.)
 * MUTANT_RECHECK_BEFORE_PUBLISH shows what a store-load reordering on the publisher side
 * (a missing seq_cst) does.
 * The JS read is one aligned 4-byte load of a word that changes only inside a 16-byte locked
 * read-modify-write (cmpxchg16b) that also writes the pointer. On x86-64 that load is
 * single-copy atomic and the locked instruction is atomic against it, so it returns the
 * ifindex of either the pair before or the pair after any write, never a mix: a read
 * ordered between two writes of the slot, which under SC is one atomic step. It needs no
 * ordering with other accesses: it dereferences nothing and gates nothing.
 *
 * Abstractions and bounds:
 *   - 1 table with NS = 2 slots, ND = 2 devices: D0 is unregistered, D1 stays registered.
 *   - A pool of NE entry objects, never reused: E0 (D0) starts in slot 0, E1 (D1) in slot 1,
 *     each updater owns one more. Because the pool is not recycled, an address compared by a
 *     compare-exchange could only be "reused" (ABA) after it was freed; the model asserts
 *     instead that every entry is not freed whenever someone dereferences it or compares
 *     against it, which is the same guarantee.
 *   - Grace periods: a retired entry records the set of read-side sections open at the
 *     moment of retire (mask[e]); a section that ends clears its bit everywhere; the grace
 *     period process may free the entry once its mask is empty, in any order. That is the
 *     weakest guarantee RCU gives (sections that start after the retire are not waited for),
 *     so every real schedule of liburcu is among the modelled ones.
 *   - acquire_usage()'s CAS loop is one atomic "increment if > 0"; the namespace index
 *     lookup of Entry::resolve is the registered() check (the index node is deleted under the
 *     namespace lock right after mark_unregistering; moves/generations are not modelled: the
 *     generation re-check pairs with mark_moving() exactly like the state re-check pairs with
 *     mark_unregistering()).
 *   - Steps are merged only where that keeps every behaviour of the code: unpublishing an
 *     entry and retiring it are one step (the unpublisher owns it from then on; a snapshot of
 *     open sections taken a step later could only be larger); a read-side section starts in
 *     the step of its first shared access and ends in the step of its last one (starting a
 *     section later or ending it earlier only lets grace periods end sooner, so the model
 *     has at least the real executions' frees); entry->device is immutable, so reading it
 *     and loading that device's state are one step.
 *
 * Processes: 2 updaters (one set each, key and device chosen nondeterministically), a deleter
 * (one remove), an unregisterer (D0), a reader (NREADS read-side sections, one lookup each),
 * a JS reader (NJSREADS = 1 get of a nondeterministic slot; see JsReader for why one is
 * enough), the grace-period process (the call_rcu thread), and init, which waits for all of
 * them and then checks the end state and drains the table (table destroy after a grace
 * period).
 *
 * Properties (assertions; an invalid end state is a deadlock, e.g. an unregister that never
 * resolves):
 *   - no use after free: every dereference (reader, publisher's re-check, purge) and every
 *     compare-exchange against an entry address happens on an entry that is not freed;
 *   - an entry is retired at most once (so never freed twice);
 *   - a reader never reaches a device whose unregistration finished (usage 0);
 *   - the JS read is linearizable: the ifindex word it loads is that of the entry in the slot
 *     at that step (0 when empty). As the read may happen in any reachable state, this is
 *     the invariant "a slot's two words always agree";
 *   - the JS read never returns the ifindex of a device whose unregistration finished;
 *   - when the unregisterer's wait completes, no slot holds an entry of D0, and at the end no
 *     slot holds an entry of a device that is not registered and every slot's ifindex word is
 *     its entry's;
 *   - at the end (after draining) every allocated entry is freed and every device's usage
 *     count is exactly its base (1 registered, 0 unregistered): nothing leaked;
 *   - the unregistration completes (all processes terminate).
 *
 * Mutants (each must be rejected): see the #ifdef MUTANT_* blocks and verify/README.md.
 */

#define NS 2
#define ND 2
#ifndef NUPD
#define NUPD 2       /* updater processes */
#endif
#ifndef NSETS
#define NSETS 1      /* sets per updater */
#endif
#ifndef NREADS
#define NREADS 2     /* read-side sections of the reader */
#endif
#ifndef NJSREADS
#define NJSREADS 1   /* ifindex reads of the JS reader: 1 or 2 (see JsReader) */
#endif
#define NE (2 + NUPD * NSETS)
#define NONE 255
#define NWORKERS (NUPD + 3)   /* updaters, deleter, reader, unregisterer */

#define D0 0
#define D1 1

/* entry states */
#define E_FREE 0      /* never allocated */
#define E_LIVE 1      /* allocated, not retired (private to its creator, or published) */
#define E_RETIRED 2   /* unpublished, waiting for a grace period */
#define E_FREED 3

/* device states */
#define REGISTERED 0
#define UNREGISTERING 1
#define RELEASED 2    /* usage reached 0: the unregistration finished */

/* read-side section owners, one bit each */
#define R_READER 1
#define R_UPD_A 2
#define R_UPD_B 4
#define R_PURGE 8

byte slot[NS];
byte ifx[NS];      /* the slot's ifindex word: IFX_OF(slot[k]), written with it */
byte estate[6];
byte edev[6];
byte mask[6];     /* sections open at retire time that have not ended yet */
byte in_cs;        /* open read-side sections */
byte dstate[ND];
byte usage[ND];    /* including the base reference */
byte nretired;
byte nfinished;

#define ALIVE(e) (estate[e] == E_LIVE || estate[e] == E_RETIRED)

/* device d has ifindex d + 1; an empty slot's ifindex word is 0 */
#define IFX_OF(e) (e == NONE -> 0 : edev[e] + 1)

/* slot k holds e: the entry pointer and its ifindex word, both */
#define SLOT_PAIR(k, e) slot[k] = e; ifx[k] = IFX_OF(e)

#ifdef MUTANT_IFINDEX_AFTER_POINTER
/* the writer's step stores the pointer only; its next step (WRITE_MIRROR) stores the ifindex
 * word it computed, whatever the slot holds by then */
#define WRITE_SLOT(k, e) slot[k] = e; mirror = IFX_OF(e) + 1
#define WRITE_MIRROR(k) \
  if \
  :: mirror != 0 -> d_step { ifx[k] = mirror - 1; mirror = 0 } \
  :: else \
  fi
#else
/* a concurrent write of a slot: one 16-byte atomic step (cmpxchg16b) over both words */
#define WRITE_SLOT(k, e) SLOT_PAIR(k, e)
#endif

/* Entry::retire: call_rcu. Only the thread that unpublished the entry retires it. */
inline retire(e) {
  assert(estate[e] == E_LIVE);   /* retired at most once, hence never freed twice */
  estate[e] = E_RETIRED;
  mask[e] = in_cs;
  nretired++
}

/* Device::release_usage; the last release finishes the unregistration. */
inline release_usage(d) {
  assert(usage[d] > 0);
  usage[d]--;
  if
  :: usage[d] == 0 ->
     assert(dstate[d] == UNREGISTERING);   /* only unregistration drops the base reference */
     dstate[d] = RELEASED
  :: else
  fi
}

/* rcu_read_unlock (inside a d_step): the section ends, no retired entry waits for it */
#define UNLOCK_STEP(b) \
  in_cs = in_cs & ~(b); \
  i = 0; \
  do \
  :: i < NE -> mask[i] = mask[i] & ~(b); i++ \
  :: else -> i = 0; break \
  od

/* ArrayTable::update(key, device) with publish() and recheck_published(), NSETS times */
proctype Updater(byte b; byte first) {
  byte n, e, k, d, old, i;
  bit seen;
#ifdef MUTANT_IFINDEX_AFTER_POINTER
  byte mirror;
#endif

  do
  :: n < NSETS ->
     e = first + n;
     /* Entry::resolve: acquire_device_usage (registered(), acquire_usage()), Entry::create */
     atomic {
       if :: k = 0 :: k = 1 fi;
       if :: d = D0 :: d = D1 fi;
       if
       :: dstate[d] == REGISTERED && usage[d] > 0 ->
          usage[d]++;
          assert(estate[e] == E_FREE); estate[e] = E_LIVE; edev[e] = d
       :: else -> e = NONE   /* -ENODEV */
       fi;
       d = 0
     }
     if
     :: e != NONE ->
#ifdef MUTANT_RECHECK_BEFORE_PUBLISH
        /* the state load is performed before the exchange is visible (store-load reordering) */
        seen = (dstate[edev[e]] == REGISTERED);
#endif
        /* publish: read-side section, exchange (seq_cst), retire the previous entry */
        atomic {
#ifndef MUTANT_PUBLISH_OUTSIDE_SECTION
          in_cs = in_cs | b;
#endif
          old = slot[k];
          WRITE_SLOT(k, e);
          if :: old != NONE -> retire(old) :: else fi;
          old = 0
        }
#ifdef MUTANT_IFINDEX_AFTER_POINTER
        WRITE_MIRROR(k);
#endif
        /* recheck_published: entry->device->registered() (seq_cst load) */
        d_step {
          assert(ALIVE(e));   /* entry->device: the entry is not freed */
#ifndef MUTANT_RECHECK_BEFORE_PUBLISH
          seen = (dstate[edev[e]] == REGISTERED);
#endif
#ifdef MUTANT_NO_RECHECK
          seen = 1;
#endif
          if
          :: seen -> UNLOCK_STEP(b)   /* 0: done, the section ends */
          :: else
          fi
        }
        if
        :: !seen ->
           /* take the entry back if it is still there: compare-exchange(e -> null), retire */
           d_step {
             assert(ALIVE(e));   /* the address compared is not freed (no ABA) */
             if
             :: slot[k] == e -> WRITE_SLOT(k, NONE); retire(e)
             :: else
             fi;
             UNLOCK_STEP(b)
           }
#ifdef MUTANT_IFINDEX_AFTER_POINTER
           ;
           WRITE_MIRROR(k)
#endif
        :: else
        fi
     :: else
     fi;
     d_step { n++; e = 0; k = 0; seen = 0 }
  :: else -> break
  od;
  skip;
  d_step { n = 0; nfinished++ }
}

/* ArrayTable::remove(key) */
proctype Deleter() {
  byte k, old;
#ifdef MUTANT_IFINDEX_AFTER_POINTER
  byte mirror;
#endif
  atomic {
    if :: k = 0 :: k = 1 fi;
    old = slot[k];
    WRITE_SLOT(k, NONE);
    if
    :: old != NONE ->
#ifdef MUTANT_FREE_WITHOUT_GRACE
       /* Entry::destroy instead of Entry::retire: no grace period */
       assert(estate[old] == E_LIVE);
       estate[old] = E_FREED;
       release_usage(edev[old])
#else
       retire(old)
#endif
    :: else
    fi;
    old = 0;
#ifdef MUTANT_IFINDEX_AFTER_POINTER
  }
  WRITE_MIRROR(k);
  d_step {
#endif
    k = 0;
    nfinished++
  }
}

/* lookup / redirect: a read-side section, a slot load, then the entry and its device are used */
proctype Reader() {
  byte n, k, e, i;
  do
  :: n < NREADS ->
     /* rcu_read_lock + acquire load of a slot */
     atomic { in_cs = in_cs | R_READER; if :: k = 0 :: k = 1 fi; e = slot[k]; k = 0 }
     /* use the entry (entry->device, a frame to the device), then rcu_read_unlock */
     d_step {
       if
       :: e != NONE ->
          assert(ALIVE(e));
          assert(dstate[edev[e]] != RELEASED)   /* no frame to a device whose unregister finished */
       :: else
       fi;
       e = 0;
       UNLOCK_STEP(R_READER);
       n++
     }
  :: else -> break
  od;
  skip;
  d_step { n = 0; nfinished++ }
}

/* the JS reader (get): a plain 4-byte load of a slot's ifindex word, no read-side section,
 * nothing dereferenced. Checked at the load: it is the ifindex of the entry in that slot at
 * that step (0 when empty), i.e. the read is linearizable, and it is never the ifindex of a
 * device whose unregistration finished. A read changes no shared state, so the reader can
 * take its step in every reachable state of the other processes: one read already checks the
 * word against the pointer in every state, and a second (NJSREADS 2) covers nothing new
 * while it multiplies the states by 1.5. */
#define JS_READ_SLOT(s) \
  d_step { \
    v = ifx[s]; \
    assert(v == IFX_OF(slot[s])); \
    assert(v == 0 || dstate[v - 1] != RELEASED); \
    v = 0 \
  }
#define JS_READ if :: JS_READ_SLOT(0) :: JS_READ_SLOT(1) fi

proctype JsReader() {
  byte v;
  JS_READ
#if NJSREADS > 1
  ; JS_READ
#endif
}

/* Namespace::unregister_device(D0) and the caller waiting for it to resolve */
proctype Unregisterer() {
  byte k, e, i;
  bit referenced;
#ifdef MUTANT_IFINDEX_AFTER_POINTER
  byte mirror;
#endif
#ifdef MUTANT_REFERENCE_CHECK_BEFORE_MARK
  referenced = (usage[D0] > 1);
#endif
#ifndef MUTANT_WALK_BEFORE_MARK
  /* mark_unregistering: state store (seq_cst) + seq_cst fence; the device is unlisted */
  d_step { assert(dstate[D0] == REGISTERED); dstate[D0] = UNREGISTERING }
#endif
#ifndef MUTANT_REFERENCE_CHECK_BEFORE_MARK
  /* the purge worker: Device::referenced() (seq_cst load of usage, after the mark); a device
   * holding only its base reference is in no table, and costs no walk */
  referenced = (usage[D0] > 1);
#endif
  if
  :: !referenced -> k = NS   /* the walk below ends at once */
  :: else
  fi;
  /* the purge worker's TableRegistry::purge_stale_entries: one read-side section over every
   * table's purge_stale (MUTANT_WALK_BEFORE_MARK: the walk queued before the mark) */
  do
  :: k < NS ->
     /* load the slot (acquire), read entry->device */
     d_step {
#ifndef MUTANT_PURGE_OUTSIDE_SECTION
       in_cs = in_cs | R_PURGE;
#endif
       e = slot[k];
       if
       :: e != NONE && dstate[edev[e]] == REGISTERED -> e = NONE   /* still current: kept */
       :: else
       fi
     }
     if
     :: e != NONE ->
        atomic {
#ifdef MUTANT_PURGE_PLAIN_STORE
          WRITE_SLOT(k, NONE);
          retire(e)
#else
          assert(ALIVE(e));   /* the address compared is not freed (no ABA) */
          if
          :: slot[k] == e ->
#ifdef MUTANT_PURGE_POINTER_ONLY
             slot[k] = NONE;   /* an 8-byte compare-exchange of the pointer half */
#else
             WRITE_SLOT(k, NONE);
#endif
             retire(e)
          :: else
          fi
#endif
        }
#ifdef MUTANT_IFINDEX_AFTER_POINTER
        ;
        WRITE_MIRROR(k)
#endif
     :: else
     fi;
     d_step { e = 0; k++ }
  :: else -> k = 0; break
  od;
  referenced = 0;
  skip;
  d_step { UNLOCK_STEP(R_PURGE) }
#ifdef MUTANT_WALK_BEFORE_MARK
  d_step { assert(dstate[D0] == REGISTERED); dstate[D0] = UNREGISTERING }
#endif
  d_step { release_usage(D0) }   /* release_base_usage */
  /* when_unregistered: the Promise resolves once usage is 0 */
  (dstate[D0] == RELEASED);
  d_step {
    k = 0;
    do
    :: k < NS -> assert(slot[k] == NONE || edev[slot[k]] != D0); k++
    :: else -> k = 0; break
    od;
    nfinished++
  }
}

/* the call_rcu thread: frees retired entries once their grace period ended */
#define FREE_ONE(x) \
  d_step { (estate[x] == E_RETIRED && mask[x] == 0) -> estate[x] = E_FREED; nretired--; release_usage(edev[x]) }

proctype GracePeriods() {
  do
  :: FREE_ONE(0)
  :: FREE_ONE(1)
  :: FREE_ONE(2)
  :: FREE_ONE(3)
#if NUPD * NSETS > 2
  :: FREE_ONE(4)
  :: FREE_ONE(5)
#endif
  :: d_step { nfinished == NWORKERS && nretired == 0 } -> break
  od
}

init {
  byte k, e, d;
  atomic {
    estate[0] = E_LIVE; edev[0] = D0; SLOT_PAIR(0, 0);
    estate[1] = E_LIVE; edev[1] = D1; SLOT_PAIR(1, 1);
    usage[D0] = 2; usage[D1] = 2;   /* base + one entry each */
    run Updater(R_UPD_A, 2);
#if NUPD > 1
    run Updater(R_UPD_B, 2 + NSETS);
#endif
    run Deleter();
    run Reader();
    run JsReader();
    run Unregisterer();
    run GracePeriods()
  }
  (_nr_pr == 1);   /* every other process ended */
  d_step {
    assert(dstate[D0] == RELEASED);
    /* no purged device left in a slot, and every ifindex word is its entry's */
    k = 0;
    do
    :: k < NS ->
       assert(slot[k] == NONE || dstate[edev[slot[k]]] == REGISTERED);
       assert(ifx[k] == IFX_OF(slot[k]));
       k++
    :: else -> break
    od;
    /* table destroy: drain() after a grace period frees the published entries */
    k = 0;
    do
    :: k < NS ->
       e = slot[k];
       if
       :: e != NONE -> SLOT_PAIR(k, NONE); assert(estate[e] == E_LIVE); estate[e] = E_FREED; release_usage(edev[e])
       :: else
       fi;
       k++
    :: else -> break
    od;
    /* nothing leaked: every entry freed, every usage count back to its base */
    e = 0;
    do
    :: e < NE -> assert(estate[e] == E_FREE || estate[e] == E_FREED); e++
    :: else -> break
    od;
    d = 0;
    do
    :: d < ND ->
       assert((dstate[d] == REGISTERED && usage[d] == 1) || (dstate[d] == RELEASED && usage[d] == 0));
       d++
    :: else -> break
    od
  }
}
