// Consumers waiting for a sink's frames (docs/design.md, Consumer wake-ups).
//
// A SinkWaiter is listed on one sink until it is notified once (frames arrived, or the sink
// was closed because its device was released) or removed by its owner. notify() runs on
// whichever thread woke it (a transmitting thread, native or JS, or the thread that released
// the device), after the list lock is dropped; it must not block and must not call back into
// the sink's waiter list. Whether a waiter will still be notified is decided under the list
// lock: remove() answers true (never notified) or false (taken: notify() runs exactly once,
// maybe later). Nothing here knows of Node.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>

namespace rt {

class SinkWaiter {
 public:
  // Called exactly once per listing that remove() did not cancel, from any thread.
  virtual void notify() noexcept = 0;

 protected:
  SinkWaiter() = default;
  ~SinkWaiter() = default;
  SinkWaiter(const SinkWaiter&) = delete;
  SinkWaiter& operator=(const SinkWaiter&) = delete;

 private:
  friend class SinkWaiters;
  SinkWaiter* prev_ = nullptr;
  SinkWaiter* next_ = nullptr;
  bool listed_ = false;  // guarded by the list's mutex
};

// The waiters of one sink. The callbacks (`arm`, `disarm`) run under the list lock: the sink
// uses them to set its armed flag under its lane locks, so the lock order is this list's mutex,
// then the sink's lane_mu_, then a lane's lock (docs/design.md, "Locks", rule 22).
class SinkWaiters {
 public:
  SinkWaiters() = default;
  SinkWaiters(const SinkWaiters&) = delete;
  SinkWaiters& operator=(const SinkWaiters&) = delete;

  // Lists `waiter` and runs arm(); false (not listed) once closed.
  template <class Arm>
  bool add(SinkWaiter* waiter, Arm arm) {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_.load(std::memory_order_relaxed)) return false;
    link(waiter);
    arm();
    return true;
  }

  // Unlists `waiter` if it still is (true: it will never be notified); runs disarm() when the
  // list became empty. False: it was taken and notify() runs (or ran) on the taker's thread.
  template <class Disarm>
  bool remove(SinkWaiter* waiter, Disarm disarm) {
    std::lock_guard<std::mutex> lock(mu_);
    if (!waiter->listed_) return false;
    unlink(waiter);
    if (head_ == nullptr) disarm();
    return true;
  }

  // Unlists every waiter (running disarm() under the lock) and returns them as a chain for
  // notify_all(); nullptr when none was listed.
  template <class Disarm>
  SinkWaiter* take_all(Disarm disarm) {
    std::lock_guard<std::mutex> lock(mu_);
    disarm();
    return take_locked();
  }

  // No waiter will be listed any more; returns the listed ones for notify_all().
  SinkWaiter* close();
  bool closed() const;
  // Waiters listed right now (a relaxed snapshot).
  uint32_t count() const { return count_.load(std::memory_order_relaxed); }

  // Notifies a chain from take_all() / close() (no lock held); returns how many.
  static size_t notify_all(SinkWaiter* chain);

 private:
  void link(SinkWaiter* waiter);
  void unlink(SinkWaiter* waiter);
  SinkWaiter* take_locked();

  mutable std::mutex mu_;
  SinkWaiter* head_ = nullptr;  // guarded by mu_
  std::atomic<bool> closed_{false};  // written under mu_
  std::atomic<uint32_t> count_{0};   // written under mu_
};

}  // namespace rt
