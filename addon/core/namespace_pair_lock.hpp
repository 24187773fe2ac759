// PairLock: the lock order for two namespaces at once (docs/design.md, "Locks", rule 18: two
// namespaces' mu_ in ascending id). Every core path that holds two Namespace::mu_ takes
// them through it: a veth pair across namespaces, a tunnel and its backend, a move.
// Internal to addon/core (the callers are Namespace members, which hand it their mu_).
#pragma once

#include <cstdint>
#include <mutex>

namespace rt {

// Locks two namespaces' mutexes in ascending id order (one lock when they are the same).
class PairLock {
 public:
  PairLock(std::mutex& a, uint32_t id_a, std::mutex& b, uint32_t id_b)
      : first_(id_a <= id_b ? a : b), second_(id_a <= id_b ? b : a), same_(&a == &b) {
    first_.lock();
    if (!same_) second_.lock();
  }
  ~PairLock() {
    if (!same_) second_.unlock();
    first_.unlock();
  }
  PairLock(const PairLock&) = delete;
  PairLock& operator=(const PairLock&) = delete;

 private:
  std::mutex& first_;
  std::mutex& second_;
  bool same_;
};

}  // namespace rt
