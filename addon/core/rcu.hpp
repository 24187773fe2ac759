// RCU support for the core: the urcu-memb flavor with its read-side inlined (_LGPL_SOURCE),
// lazy per-thread registration, read-side guards and deferred work.
//
// Rules kept here (docs/design.md, "Threads and RCU"):
//  - every thread that touches the core registers lazily (ensure_thread_registered) and is
//    unregistered when it exits (a thread_local guard) or earlier by unregister_current_thread();
//  - nothing in this file waits for a grace period except wait_for_callbacks() and
//    wait_for_readers(), which must never be called inside a read-side section or a callback.
#pragma once

#ifndef _LGPL_SOURCE
#define _LGPL_SOURCE
#endif
#include <urcu/urcu-memb.h>


namespace rt::rcu {

struct ThreadState {
  bool registered;      // the thread may use the read side (registered by us or by liburcu)
  bool owned;           // we registered it, so we unregister it (call_rcu workers are liburcu's)
  urcu_reader* reader;  // this thread's liburcu reader state, cached (see ReadLock)
};

// Trivial and initial-exec, so the hot-path check is one %fs-relative load. liburcu's own
// per-thread reader state lives in a dynamically loaded library: reaching it costs a
// __tls_get_addr call per access from the addon, so its address is cached here.
extern thread_local ThreadState tls_thread_state __attribute__((tls_model("initial-exec")));

void register_current_thread_slow();

inline void ensure_thread_registered() {
  if (__builtin_expect(!tls_thread_state.registered, 0)) register_current_thread_slow();
}

// Unregisters the calling thread if it is registered (idempotent). Used by Node environments'
// cleanup hooks; the thread registers again lazily if it touches the core afterwards.
void unregister_current_thread();

// How many threads are registered with liburcu by us right now (registrations we own, so not
// liburcu's call_rcu workers). Incremented on registration, decremented on unregistration; a
// value that does not come back after threads exit is a registration leak. Slow path only.
long registered_thread_count();

// Read-side critical sections. Registers the thread on first use; sections nest.
//
// Same protocol as liburcu's inline urcu_memb_read_lock/unlock (_LGPL_SOURCE), applied to the
// cached reader pointer instead of liburcu's TLS symbol: nesting count in ctr, a snapshot of the
// grace-period counter on the outermost lock, the flavor's slave barriers (compiler barriers
// when sys_membarrier is available), and the wake-up of a waiting synchronize_rcu on the
// outermost unlock. The stress test in test/native runs it under ASan with grace periods racing.
inline void read_lock() {
  ensure_thread_registered();
  urcu_reader* reader = tls_thread_state.reader;
  cmm_barrier();
  unsigned long ctr = CMM_LOAD_SHARED(reader->ctr);
  if (__builtin_expect(!(ctr & URCU_GP_CTR_NEST_MASK), 1)) {
    CMM_STORE_SHARED(reader->ctr, CMM_LOAD_SHARED(urcu_memb_gp.ctr));
    urcu_memb_smp_mb_slave();
  } else {
    CMM_STORE_SHARED(reader->ctr, ctr + URCU_GP_COUNT);
  }
}

inline void read_unlock() {
  urcu_reader* reader = tls_thread_state.reader;
  unsigned long ctr = CMM_LOAD_SHARED(reader->ctr);
  if (__builtin_expect((ctr & URCU_GP_CTR_NEST_MASK) == URCU_GP_COUNT, 1)) {
    urcu_memb_smp_mb_slave();
    CMM_STORE_SHARED(reader->ctr, ctr - URCU_GP_COUNT);
    urcu_memb_smp_mb_slave();
    urcu_common_wake_up_gp(&urcu_memb_gp);
  } else {
    CMM_STORE_SHARED(reader->ctr, ctr - URCU_GP_COUNT);
  }
  cmm_barrier();
}

class ReadLock {
 public:
  ReadLock() { read_lock(); }
  ~ReadLock() { read_unlock(); }
  ReadLock(const ReadLock&) = delete;
  ReadLock& operator=(const ReadLock&) = delete;
};

// Queues `head` to run `fn` after a grace period, on the reclaimer thread (reclaimer.cpp), in
// the order queued. Safe inside a read-side section and inside callbacks (it never waits).
void call_after_grace_period(rcu_head* head, void (*fn)(rcu_head*));
// The same for callbacks nobody waits for (entries replaced or deleted by writers): they may
// wait up to a few milliseconds more, gathered with others into one grace period.
void call_after_grace_period_lazily(rcu_head* head, void (*fn)(rcu_head*));
// Runs the queued callbacks' grace period now (the lazy ones included).
void expedite_grace_period();


// Deletes an object after a grace period without allocating (a release path cannot fail): the
// object embeds a DeferredDelete<T> and calls delete_after_grace_period(&member, this). A class
// with a private destructor befriends DeferredDelete<T>.
template <typename T>
struct DeferredDelete {
  rcu_head head;
  T* owner;

  static void run(rcu_head* h) {
    T* object = caa_container_of(h, DeferredDelete<T>, head)->owner;
    delete object;
  }
};

template <typename T>
void delete_after_grace_period(DeferredDelete<T>* link, T* owner) {
  link->owner = owner;
  call_after_grace_period(&link->head, &DeferredDelete<T>::run);
}

// Waits for every callback queued so far to have run (rcu_barrier, for our reclaimer). Blocking.
void wait_for_callbacks();

// Waits for a grace period (synchronize_rcu). Blocking.
void wait_for_readers();

}  // namespace rt::rcu
