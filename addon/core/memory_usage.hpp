// Native memory the core holds, by kind: the figure users graph to see that the package's
// footprint stays flat over days (docs/design.md, "Memory"). Object and array sizes as
// requested from the allocator; the allocator's own overhead and retention are not included.
//
// Counted per thread (PerThreadCounters: no shared cache line on the entry paths, which an
// update and its reclamation hit on different threads) and summed on read.
#pragma once

#include <cstddef>
#include <cstdint>

namespace rt::memory {

enum Kind : unsigned {
  kTables,      // table objects and their slot or bucket arrays
  kEntries,     // table entries, including those waiting for a grace period
  kRings,       // devices' descriptor rings (every producer lane's)
  kDevices,     // device objects
  kNamespaces,  // namespace objects
  kThreads,     // per-thread datapath state (bulk queues, submit queues' staging areas)
  kKindCount
};

void allocated(Kind kind, size_t bytes);
void freed(Kind kind, size_t bytes);

// Bytes of `kind` held right now. Reads are not a snapshot across threads: a figure may lag an
// allocation or a free in flight on another thread.
int64_t in_use(Kind kind);

}  // namespace rt::memory
