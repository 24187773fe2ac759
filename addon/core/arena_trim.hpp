// Giving the free pages of exited threads back to the system (docs/design.md, "Memory").
//
// glibc gives each thread a malloc arena (up to 8 per core) and returns an arena's free memory
// to the system only from its top. A worker that exits frees its V8 isolate and its Node
// environment into its arena, and the pages stay resident: with workers coming and going, RSS
// climbs though nothing is alive. malloc_trim(0) hands the free pages of every arena back.
#pragma once

#include <cstdint>

namespace rt::memory {

// Asks for a trim a little later, on a thread of ours: called when a JS environment that used the
// package is torn down (a worker exiting), before its isolate has freed its memory. Requests
// that come close together make one trim; trims are at least a second apart. Never blocks, never
// throws; a no-op without glibc or with REDIRECT_TABLE_ARENA_TRIM=0 in the environment.
void trim_after_thread_exit();

struct TrimStats {
  uint64_t trims;        // done so far
  uint64_t longest_us;   // the longest one, in microseconds
};
TrimStats trim_stats();  // for the tests and the soak

}  // namespace rt::memory
