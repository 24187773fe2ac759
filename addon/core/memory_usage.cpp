#include "memory_usage.hpp"

#include "thread_slot.hpp"

namespace rt::memory {

namespace {

// Constant-initialised: usable from any thread at any time, including thread exit.
PerThreadCounters<kKindCount> counters;

}  // namespace

void allocated(Kind kind, size_t bytes) { counters.add(kind, bytes); }

// Unsigned wrap-around: a thread that frees more than it allocated holds a "negative" row; the
// sum over all rows is exact modulo 2^64.
void freed(Kind kind, size_t bytes) { counters.add(kind, uint64_t{0} - bytes); }

// Rows are read one after another: a free read before the allocation it matches can make a sum
// dip below zero for a moment. Never reported below zero.
int64_t in_use(Kind kind) {
  const auto bytes = static_cast<int64_t>(counters.sum(kind));
  return bytes < 0 ? 0 : bytes;
}

}  // namespace rt::memory
