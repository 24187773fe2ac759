// A small per-thread index, so per-thread counters can live in plain arrays: counters are
// written by their own thread only and summed on read (docs/design.md, "Speed").
#pragma once

#include <atomic>
#include <cstdint>

namespace rt {

inline constexpr unsigned kThreadSlots = 256;
// The last slot is shared by every thread beyond the first kThreadSlots - 1 live ones.
inline constexpr unsigned kSharedThreadSlot = kThreadSlots - 1;

// slot + 1, 0 while unassigned. Constant-initialised and initial-exec: one %fs-relative load
// (no TLS wrapper call from other files).
extern constinit thread_local unsigned tls_thread_slot __attribute__((tls_model("initial-exec")));

unsigned assign_thread_slot();  // the slow path; the slot is released when the thread exits

// How many of the kThreadSlots - 1 private slots are taken by live threads right now (the
// shared slot is not counted). Slow path; for tests that check slots are returned.
unsigned live_thread_slots();

inline unsigned thread_slot() {
  unsigned slot = tls_thread_slot;
  return __builtin_expect(slot != 0, 1) ? slot - 1 : assign_thread_slot();
}

// N counters per thread slot, one cache line per slot.
template <unsigned N>
class PerThreadCounters {
 public:
  static_assert(N * sizeof(uint64_t) <= 64);

  void add(unsigned counter, uint64_t value) {
    unsigned slot = thread_slot();
    std::atomic<uint64_t>& c = rows_[slot].values[counter];
    if (slot == kSharedThreadSlot) {
      c.fetch_add(value, std::memory_order_relaxed);
    } else {  // this thread is the only writer: no locked instruction needed
      c.store(c.load(std::memory_order_relaxed) + value, std::memory_order_relaxed);
    }
  }

  uint64_t sum(unsigned counter) const {
    uint64_t total = 0;
    for (const Row& row : rows_) total += row.values[counter].load(std::memory_order_relaxed);
    return total;
  }

 private:
  struct alignas(64) Row {
    std::atomic<uint64_t> values[N] = {};
  };
  Row rows_[kThreadSlots];
};

}  // namespace rt
