// Deferred work after a grace period, run on a thread of ours (docs/design.md, "Reclamation and
// unregistration").
//
// liburcu's call_rcu worker sleeps 10 ms each time it wakes before it runs a grace period, so a
// device whose last entry it frees finishes unregistering 10 ms late. Ours sleeps until work is
// queued, then runs one synchronize_rcu for everything queued so far and the callbacks in the
// order they were queued (FIFO across threads, as call_rcu's default worker runs them).
//
// Queueing is a lock-free push (safe inside read-side sections and callbacks: it never waits).
// Most callbacks are urgent (a purge's entries, tables, devices: someone may wait for them) and
// wake the thread at once. Entries replaced or deleted by writers are queued lazily: the thread
// gathers them for up to 10 ms before their grace period (as liburcu's worker does), and only a
// lazy push that finds the thread idle takes its mutex to wake it; the purge worker expedites
// after each pass, so an unregistration does not wait for that delay. The thread starts on the
// first callback. If the system refuses it (the process's thread limit), the callbacks wait in
// the queue and later calls try again, at most every kServiceThreadRetry: liburcu's call_rcu
// would need a thread as well, and liburcu ends the process when it cannot start one.
// With REDIRECT_TABLE_SERVICE_THREADS=0 every callback goes to liburcu's call_rcu instead
// (decided once, so the two never reorder each other's callbacks).
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "rcu.hpp"
#include "service_threads.hpp"

namespace rt::rcu {

namespace {

enum class Urgency { Now, Lazy };

class Reclaimer {
 public:
  static Reclaimer& instance() {
    static auto* const reclaimer = new Reclaimer();  // immortal, like its thread
    return *reclaimer;
  }

  void defer(rcu_head* head, void (*fn)(rcu_head*), Urgency urgency) {
    head->func = fn;
    Mode mode = mode_.load(std::memory_order_acquire);
    if (__builtin_expect(mode == Mode::Unstarted, 0)) mode = start();
    if (mode == Mode::Fallback) {
      ensure_thread_registered();
      urcu_memb_call_rcu(head, fn);
      return;
    }
    // Running, or Unstarted for now: the thread takes the queue once it starts.
    cds_wfcq_node* node = &head->next;
    cds_wfcq_node* top = top_.load(std::memory_order_relaxed);
    do {
      node->next = top;
    } while (!top_.compare_exchange_weak(top, node, std::memory_order_release, std::memory_order_relaxed));
    if (urgency == Urgency::Now) {
      expedite();
    } else if (top == nullptr) {  // empty -> non-empty: the thread may be idle, with no timer
      std::lock_guard<std::mutex> lock(mu_);
      if (idle_) wake_.notify_one();
    }
  }

  void expedite() {
    if (mode_.load(std::memory_order_acquire) == Mode::Unstarted) start();  // a queue may wait
    std::lock_guard<std::mutex> lock(mu_);
    urgent_ = true;
    wake_.notify_one();
  }

  void barrier() {
    Mode mode = mode_.load(std::memory_order_acquire);
    // Queued callbacks wait for the thread: while the system refuses it, so does this call.
    while (mode == Mode::Unstarted && top_.load(std::memory_order_acquire) != nullptr) {
      mode = start();
      if (mode == Mode::Unstarted) std::this_thread::sleep_for(kServiceThreadRetry);
    }
    if (mode != Mode::Running) {
      ensure_thread_registered();
      urcu_memb_barrier();  // the fallback's callbacks (none if the thread never had to start)
      return;
    }
    // A callback queued now runs after every callback queued before it.
    struct Marker {
      rcu_head head;
      std::mutex mu;
      std::condition_variable cv;
      bool ran = false;
    } marker;
    defer(&marker.head, [](rcu_head* h) {
      auto* m = caa_container_of(h, Marker, head);
      std::lock_guard<std::mutex> lock(m->mu);
      m->ran = true;
      m->cv.notify_one();  // under the lock: the waiter cannot return (and free m) before this
    }, Urgency::Now);
    std::unique_lock<std::mutex> lock(marker.mu);
    marker.cv.wait(lock, [&] { return marker.ran; });
  }

 private:
  // A null-terminated chain in the opposite order.
  static cds_wfcq_node* reversed(cds_wfcq_node* chain) {
    cds_wfcq_node* out = nullptr;
    while (chain != nullptr) {
      cds_wfcq_node* next = chain->next;
      chain->next = out;
      out = chain;
      chain = next;
    }
    return out;
  }

  enum class Mode : int { Unstarted, Running, Fallback };

  // Starts the thread, or decides on the fallback. Unstarted while the system refuses the
  // thread (tried again by a later call, at most every kServiceThreadRetry: ServiceThreadStart).
  Mode start() {
    std::lock_guard<std::mutex> lock(mu_);
    Mode mode = mode_.load(std::memory_order_relaxed);
    if (mode != Mode::Unstarted) return mode;
    if (!service_threads_allowed()) {
      mode = Mode::Fallback;
    } else if (thread_.ensure([this] { run(); })) {
      mode = Mode::Running;
    } else {
      return Mode::Unstarted;
    }
    mode_.store(mode, std::memory_order_release);
    return mode;
  }

  // Sleeps until callbacks are due: at once for urgent ones, after kLazyDelay for the rest
  // (replaced and deleted entries, at up to hundreds of thousands per second: gathering them
  // keeps grace periods, and the IPIs of their membarrier, from following every write).
  void wait_until_due() {
    std::unique_lock<std::mutex> lock(mu_);
    while (!urgent_) {
      if (top_.load(std::memory_order_acquire) == nullptr) {
        idle_ = true;
        wake_.wait(lock);
        idle_ = false;
        continue;
      }
      wake_.wait_for(lock, kLazyDelay, [this] { return urgent_; });
      break;
    }
    urgent_ = false;
  }

  void run() {
    for (;;) {
      wait_until_due();
      cds_wfcq_node* taken = top_.exchange(nullptr, std::memory_order_acquire);
      if (taken == nullptr) continue;
      // Everything taken was unpublished before it was queued: one grace period covers it all.
      wait_for_readers();
      cds_wfcq_node* fifo = reversed(taken);  // oldest first
      while (fifo != nullptr) {
        cds_wfcq_node* next = fifo->next;  // read first: the callback may free the node
        rcu_head* head = caa_container_of(fifo, rcu_head, next);
        head->func(head);
        fifo = next;
      }
    }
  }

  static constexpr std::chrono::milliseconds kLazyDelay{10};

  std::atomic<cds_wfcq_node*> top_{nullptr};  // pushed callbacks, newest first
  std::atomic<Mode> mode_{Mode::Unstarted};
  ServiceThreadStart thread_;  // guarded by mu_
  std::mutex mu_;  // the thread's sleep and its start
  std::condition_variable wake_;
  bool urgent_ = false;  // guarded by mu_: a callback that must not wait for kLazyDelay
  bool idle_ = false;    // guarded by mu_: the thread sleeps with nothing queued (no timer)
};

}  // namespace

void call_after_grace_period(rcu_head* head, void (*fn)(rcu_head*)) {
  Reclaimer::instance().defer(head, fn, Urgency::Now);
}

void call_after_grace_period_lazily(rcu_head* head, void (*fn)(rcu_head*)) {
  Reclaimer::instance().defer(head, fn, Urgency::Lazy);
}

void expedite_grace_period() { Reclaimer::instance().expedite(); }

void wait_for_callbacks() { Reclaimer::instance().barrier(); }


}  // namespace rt::rcu
