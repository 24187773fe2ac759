/*
 * unregister-queue.pml: cross-namespace unregistration queues against a concurrent move.
 *
 * What is modelled (addon/core/device_unregister.cpp, unregister_queue.cpp, device_move.cpp,
 * namespace.cpp's forget_device, device.cpp):
 *   unregister_device(dev, done)  find the device's namespace (retain_namespace_of), lock it,
 *                    re-check the device is still there (else retry: it moved), and if it is
 *                    registered: mark it unregistering, unlist it, add it to draining_; else
 *                    only wait (when_unregistered). When started: take_dependents() (the veth
 *                    peer pointer is exchanged to null; the winner takes the pair down), an
 *                    `arrive` closure counting the device and its dependents, the notifier
 *                    (tables: see slot-protocol.pml), unregister_from(origin, dependent) for
 *                    each dependent, then the base usage reference is dropped, which (no table
 *                    entries here) finishes the unregistration: forget_device() removes it
 *                    from draining_ under the namespace lock, the state becomes Released and
 *                    the waiters run.
 *   unregister_from  the dependent is unregistered directly when it is in `origin`, queued on
 *                    its own namespace otherwise.
 *   queue_unregister lock the device's namespace (re-check: retry if it moved meanwhile); a
 *                    device no longer registered only gets a waiter; a device already queued
 *                    on this namespace only adds `done` to its entry; else it is queued
 *                    (queued_on_) and the namespace's work is scheduled (work_scheduled_).
 *   run_unregister_work  (the UnregisterWorker) under the lock: take the whole queue as a
 *                    batch, clear queued_on_ and work_scheduled_; then unregister_device() each
 *                    device with a closure that runs every `done` of its entry.
 *   move_device      lock both namespaces in ascending id order, re-check the device's
 *                    namespace, refuse when not registered, move it; when it is queued on the
 *                    source, move its queue entry to the target's queue and schedule the
 *                    target's work.
 *
 * MEMORY MODEL: sequentially consistent (the code's shared state is either guarded by the
 * namespace mutexes or seq_cst/acq_rel atomics that are only compared, never reordered
 * against each other in a way the protocol depends on).
 *
 * Abstractions and bounds:
 *   - Namespaces N1 (id 1) and N2 (id 2). Devices: A in N1; B in N2, A's veth peer (the
 *     dependent that lives in another namespace; uppers and tunnels reach the same
 *     unregister_from/queue_unregister path); C in N1, only moved (a second pair-locker).
 *   - A critical section that acquires a single mutex and never blocks inside is one atomic
 *     step guarded by "the mutex is free"; move_device takes its two mutexes in two separate
 *     steps, so lock-order deadlocks are visible. Device::mu_ sections are atomic steps.
 *   - The one UnregisterWorker thread is modelled as one worker process per namespace (a
 *     superset of its schedules: every sequential order of the work items is one of the
 *     interleavings of the two workers). Without that thread (the thread limit), whoever
 *     scheduled a namespace's work runs it once it holds no lock (run_scheduled_work), so two
 *     runs of one namespace's work may overlap: FALLBACK_RUNNER_N1 / _N2 add a second runner
 *     to that namespace (with NO_MOVER_C, to keep the search small; one namespace at a time,
 *     as both at once take three times as long).
 *
 * verify-variant: fallback-runner-n1 -DFALLBACK_RUNNER_N1 -DNO_MOVER_C
 * verify-variant: fallback-runner-n2 -DFALLBACK_RUNNER_N2 -DNO_MOVER_C
 *   - Recursion (unregister_device -> unregister_from -> unregister_device) runs the callee
 *     as a child process and waits for it; it is bounded because a device that is no longer
 *     registered only gets a waiter.
 *   - Completion closures are small records: DONE (a caller's Promise; must run exactly
 *     once), ARRIVE (the shared counter of unregister_device), BATCH (a queue entry's list of
 *     `done`s). Lifetime references and tables are not modelled.
 *
 * Processes: the user thread unregisters A (B is A's dependent in N2, so B is queued on N2);
 * a second request queues B again (only a waiter is added when it is already queued); a mover
 * moves B to N1 and back to N2; a mover moves C from N1 to N2; the two namespaces' workers.
 *
 * Properties:
 *   - a device is on at most one queue at any time, once at most, and only on the queue of
 *     the namespace it is in;
 *   - a device's unregistration starts at most once (never unregistered twice);
 *   - never lost: at the end A and B are released, every queue and draining_ set is empty,
 *     every caller's `done` ran exactly once (the callers wait for them), C is registered;
 *   - no deadlock: only valid end states.
 *
 * Mutants (each must be rejected): see the #ifdef MUTANT_* blocks and verify/README.md.
 */

#define NNS 2
#define ND 3
#define NONE 255

#define N1 0   /* id 1 */
#define N2 1   /* id 2 */
#define DA 0
#define DB 1
#define DC 2

#define REGISTERED 0
#define UNREGISTERING 1
#define RELEASED 2

/* closures */
#define MAXC 11
#define K_DONE 1
#define K_ARRIVE 2
#define K_BATCH 3
#define C_USER 0   /* the user thread's done for A */
#define C_REQ2 1   /* the second request's done for B */
#define C_ARRIVE(d) (2 + (d))                      /* unregister_device's arrive (one start per device) */
#define C_BATCH(d, k) (2 + ND + 2 * (d) + (k))     /* the k-th queue entry of device d run by a worker */

#define NCLIENTS 4

#define Q(ns, d) ((ns) * ND + (d))

bit mu[NNS];               /* Namespace::mu_ */
byte dns[ND];              /* Device::ns_ */
byte dstate[ND];
byte peer[ND];             /* Device::peer_ */
byte queued_on[ND];        /* Device::queued_on_ */
byte qcount[NNS * ND];     /* entries of device d on ns's unregister_queue_ */
short qdone[NNS * ND];      /* the closures of that entry (bit set) */
bit work_scheduled[NNS];
byte pending[NNS];         /* scheduled work items not yet started */
byte draining[NNS];        /* draining_ (bit set of devices) */
short waiters[ND];          /* Device::waiters_ (bit set of closures) */
byte nmark[ND];            /* unregistrations started */

byte ctype[MAXC];
byte crem[MAXC];
byte cnext[MAXC];
short cset[MAXC];
byte fired[MAXC];
byte runq[MAXC];           /* scratch of run_closures */
byte nbatch[ND];

byte nfinished;
byte busy;

/* every queue invariant for device d (inside an atomic step) */
#ifndef OWN_NS_CHECK
#define OWN_NS_CHECK(d) assert(queued_on[d] == NONE || queued_on[d] == dns[d])
#endif
#define CHECK_QUEUE(d) \
  assert(qcount[Q(N1, d)] + qcount[Q(N2, d)] <= 1); \
  assert(queued_on[d] == NONE || qcount[Q(queued_on[d], d)] == 1); \
  assert(queued_on[d] != NONE || qcount[Q(N1, d)] + qcount[Q(N2, d)] == 0); \
  OWN_NS_CHECK(d)

/* runs a set of closures (and those they call), in one step: they take no namespace mutex.
   runq[] is scratch (calls pending per closure), zero outside this step. */
inline run_closures(set) {
  c = 0;
  do
  :: c < MAXC -> runq[c] = runq[c] + ((set >> c) & 1); c++
  :: else -> break
  od;
  c = 0;
  do
  :: c == MAXC -> break
  :: c < MAXC && runq[c] == 0 -> c++
  :: c < MAXC && runq[c] > 0 ->
     runq[c]--;
     if
     :: ctype[c] == K_DONE -> fired[c]++; assert(fired[c] == 1)   /* a caller's done runs once */
     :: ctype[c] == K_ARRIVE ->
        assert(crem[c] > 0);
        crem[c]--;
        if
        :: crem[c] == 0 -> fired[c] = 1; runq[cnext[c]]++
        :: else
        fi
     :: ctype[c] == K_BATCH ->
        assert(fired[c] == 0);
        fired[c] = 1;
        torun = cset[c];
        c = 0;
        do
        :: c < MAXC -> runq[c] = runq[c] + ((torun >> c) & 1); c++
        :: else -> break
        od;
        torun = 0
     fi;
     c = 0
  od;
  c = 0
}

/* Device::when_unregistered(cl) */
inline when_unregistered(d, cl) {
  d_step {
    if
    :: dstate[d] != RELEASED -> waiters[d] = waiters[d] | (1 << cl)
    :: else -> run_closures(1 << cl)
    fi
  }
}

/* Namespace::schedule_work_locked(n), with n's mutex held */
inline schedule_work_locked(n) {
  if
  :: !work_scheduled[n] -> work_scheduled[n] = 1; pending[n]++
  :: else
  fi
}

/* Namespace::queue_unregister(d, cl) */
inline queue_unregister(d, cl) {
  do
  :: qns = dns[d];   /* retain_namespace_of */
     atomic {
       mu[qns] == 0 ->   /* lock(qns) ... unlock(qns) */
       if
#ifndef MUTANT_QUEUE_NO_NS_RECHECK
       :: dns[d] != qns -> skip   /* moved meanwhile: retry */
#endif
       :: else ->
          if
          :: dstate[d] != REGISTERED -> qns = NONE   /* only wait, after unlocking */
          :: else ->
             if
#ifndef MUTANT_QUEUE_TWICE
             :: queued_on[d] == qns -> qdone[Q(qns, d)] = qdone[Q(qns, d)] | (1 << cl)
#endif
             :: else ->
                queued_on[d] = qns;
                qcount[Q(qns, d)]++;
                qdone[Q(qns, d)] = 1 << cl;
                CHECK_QUEUE(d);
                schedule_work_locked(qns)
             fi;
             qns = NNS   /* done */
          fi
       fi
     }
     if
     :: qns == NONE -> when_unregistered(d, cl); break
     :: qns == NNS -> break
     :: else
     fi
  od;
  qns = 0
}

/* Namespace::unregister_device(d, cl); the caller waits on `ret` (a call) */
proctype UnregisterDevice(byte d; byte cl; chan ret) {
  byte ns, dep, arr, c, qns;
  short torun;
  bit started;
  chan child = [1] of { bit };

  /* retain_namespace_of + lock, re-check that the device did not move. dns[] is written
     only by the movers: for a device nobody moves, reading it and locking are one step. */
  do
  :: if
     :: d == DB -> ns = dns[d]
     :: else
     fi;
     atomic {
       if
       :: d != DB -> ns = dns[d]
       :: else
       fi;
       mu[ns] == 0 ->
       if
       :: dns[d] == ns ->
          if
          :: dstate[d] == REGISTERED ->
             dstate[d] = UNREGISTERING;   /* mark_unregistering */
             nmark[d]++;
             assert(nmark[d] == 1);       /* never unregistered twice */
             draining[ns] = draining[ns] | (1 << d);
             started = 1
          :: else
          fi;
          break
       :: else   /* moved meanwhile: retry */
       fi
     }
  od;
  if
  :: !started -> when_unregistered(d, cl)
  :: else ->
     /* take_dependents (exchange of peer_), the arrive closure, when_unregistered(arrive):
        one step, as nobody else can finish this device before its base usage is dropped */
     d_step {
       dep = peer[d];
       peer[d] = NONE;
       arr = C_ARRIVE(d);
       ctype[arr] = K_ARRIVE; cnext[arr] = cl;
       crem[arr] = 1 + (dep != NONE);
       assert(dstate[d] == UNREGISTERING);
       waiters[d] = waiters[d] | (1 << arr)
     }
     /* notifier: tables are not modelled here */
     if
     :: dep != NONE ->
        /* unregister_from(ns, dep, arr) */
        if
        :: dns[dep] == ns -> run UnregisterDevice(dep, arr, child); child?_
        :: else -> queue_unregister(dep, arr)
        fi
     :: else
     fi;
     /* release_base_usage -> finish_unregistration: forget_device (under the namespace
        lock), Released, the waiters run */
     atomic {
       mu[dns[d]] == 0 ->
       draining[dns[d]] = draining[dns[d]] & ~(1 << d);
       dstate[d] = RELEASED;
       torun = waiters[d];
       waiters[d] = 0;
       run_closures(torun)
     }
  fi;
  ret!1
}

/* the user thread: Device.unregister() of A, then awaits its Promise */
proctype User() {
  chan child = [1] of { bit };
  run UnregisterDevice(DA, C_USER, child);
  child?_;
  atomic { (fired[C_USER] == 1) -> nfinished++ }
}

/* a second unregister request of B through its queue, then awaits it */
proctype SecondRequest() {
  byte qns, c;
  short torun;
  queue_unregister(DB, C_REQ2);
  atomic { (fired[C_REQ2] == 1) -> nfinished++ }
}

/* Namespace::move_device(d, target) */
inline move_device(d, target) {
  do
  :: atomic {
       src = dns[d];   /* retain_namespace_of */
       if
       :: src == target -> first = NONE   /* nothing to do */
       :: else ->
#ifdef MUTANT_MOVE_LOCK_SOURCE_FIRST
          first = src;
#else
          first = (src < target -> src : target);   /* ascending namespace id */
#endif
          second = (first == src -> target : src);
          mu[first] == 0 -> mu[first] = 1
       fi
     }
     if
     :: first == NONE -> break
     :: else ->
        atomic { mu[second] == 0 -> mu[second] = 1 }
        d_step {
          if
          :: dns[d] != src -> retry = 1   /* moved meanwhile */
          :: else ->
             retry = 0;
             if
             :: dstate[d] == REGISTERED ->
                /* unlist, mark_moving, notifier, set_identity, list */
                dns[d] = target;
                if
                :: queued_on[d] == src ->
#ifndef MUTANT_MOVE_WITHOUT_REQUEUE
                   qcount[Q(src, d)]--;
                   qcount[Q(target, d)]++;
                   qdone[Q(target, d)] = qdone[Q(src, d)];
                   qdone[Q(src, d)] = 0;
                   queued_on[d] = target;
                   schedule_work_locked(target);
#endif
                   skip
                :: else
                fi;
                CHECK_QUEUE(d)
             :: else   /* -ENODEV */
             fi
          fi;
          mu[first] = 0;
          mu[second] = 0;
          first = 0; second = 0
        }
        if
        :: retry -> retry = 0
        :: else -> break
        fi
     fi
  od;
  src = 0; first = 0
}

proctype MoverB() {
  byte src, first, second;
  bit retry;
  move_device(DB, N1);
#ifndef ONE_MOVE
  move_device(DB, N2);
#endif
  nfinished++
}

#ifndef NO_MOVER_C
proctype MoverC() {
  byte src, first, second;
  bit retry;
  move_device(DC, N2);
  nfinished++
}
#endif

/* a namespace's unregister work (run_unregister_work), each time it is scheduled */
proctype Worker(byte me) {
  byte d, batch, cl;
  short bdone[ND];
  chan child = [1] of { bit };
  do
  :: /* the work item starts (work_scheduled_ stays set until the swap, so starting it
        earlier than the swap would not let anything else happen): lock, take the batch */
     atomic {
       pending[me] > 0 && mu[me] == 0 ->
       pending[me]--;
       busy++;
       d = 0;
       do
       :: d < ND ->
          if
          :: qcount[Q(me, d)] > 0 ->
             assert(qcount[Q(me, d)] == 1);
             assert(queued_on[d] == me);
             OWN_NS_CHECK(d);   /* a queued device is queued on its own namespace */
             batch = batch | (1 << d);
             bdone[d] = qdone[Q(me, d)];
             qdone[Q(me, d)] = 0;
             qcount[Q(me, d)] = 0;
             queued_on[d] = NONE;
             CHECK_QUEUE(d)
          :: else
          fi;
          d++
       :: else -> d = 0; break
       od;
       work_scheduled[me] = 0
     }
     do
     :: batch != 0 ->
        d_step {
          d = 0;
          do
          :: batch & (1 << d) -> break
          :: else -> d++
          od;
          batch = batch & ~(1 << d);
          assert(nbatch[d] < 2);
          cl = C_BATCH(d, nbatch[d]);
          nbatch[d]++;
          ctype[cl] = K_BATCH; cset[cl] = bdone[d];
          bdone[d] = 0
        }
        run UnregisterDevice(d, cl, child);
        child?_;
        d = 0; cl = 0
     :: else -> break
     od;
     busy--
  :: atomic { nfinished == NCLIENTS && busy == 0 && pending[N1] == 0 && pending[N2] == 0 } -> break
  od
}

init {
  byte d, c;
  atomic {
    dns[DA] = N1; dns[DB] = N2; dns[DC] = N1;
    peer[DA] = DB; peer[DB] = DA; peer[DC] = NONE;
    queued_on[DA] = NONE; queued_on[DB] = NONE; queued_on[DC] = NONE;
    ctype[C_USER] = K_DONE; ctype[C_REQ2] = K_DONE;
    run Worker(N1);
    run Worker(N2);
#ifdef FALLBACK_RUNNER_N1
    run Worker(N1);
#endif
#ifdef FALLBACK_RUNNER_N2
    run Worker(N2);
#endif
    run User();
    run SecondRequest();
    run MoverB();
#ifndef NO_MOVER_C
    run MoverC()
#else
    nfinished++
#endif
  }
  (_nr_pr == 1);
  d_step {
    assert(dstate[DA] == RELEASED && nmark[DA] == 1);
    assert(dstate[DB] == RELEASED && nmark[DB] == 1);
#ifndef NO_MOVER_C
    assert(dstate[DC] == REGISTERED && nmark[DC] == 0 && dns[DC] == N2);
#endif
    assert(draining[N1] == 0 && draining[N2] == 0);
    assert(!work_scheduled[N1] && !work_scheduled[N2]);
    d = 0;
    do
    :: d < ND ->
       assert(queued_on[d] == NONE && qcount[Q(N1, d)] == 0 && qcount[Q(N2, d)] == 0);
       assert(waiters[d] == 0);
       d++
    :: else -> break
    od;
    /* every closure ran, the callers' exactly once */
    assert(fired[C_USER] == 1 && fired[C_REQ2] == 1);
    c = 2;
    do
    :: c < MAXC -> assert(ctype[c] == 0 || (fired[c] == 1 && crem[c] == 0)); c++
    :: else -> break
    od
  }
}
