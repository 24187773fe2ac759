// Stress threads for the paths that must fail cleanly or keep their word (see robust_paths.cpp):
// allocation failures, racing hash-table batches near maxEntries, inputs rewritten mid-call.
#pragma once

#include <atomic>
#include <cstdint>

namespace stress {

using Fail = void (*)(const char* what, long a, long b);

struct RobustCounters {
  std::atomic<uint64_t> enomem{0};         // operations that failed with -ENOMEM as injected
  std::atomic<uint64_t> batch_races{0};    // racing update_batch calls checked
  std::atomic<uint64_t> batch_overflows{0};
  std::atomic<uint64_t> rewritten_calls{0};
};

// Each runs until `stop`, in a namespace of its own (destroyed before returning).
void alloc_faults(const std::atomic<bool>& stop, Fail fail, RobustCounters& counters);
void batch_race(const std::atomic<bool>& stop, Fail fail, RobustCounters& counters);
void rewritten_inputs(const std::atomic<bool>& stop, Fail fail, RobustCounters& counters);

}  // namespace stress
