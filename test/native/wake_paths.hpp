// Stress of consumer wake-ups (addon/core/sink_waiters.hpp, Sink::wait; docs/design.md,
// Consumer wake-ups), see wake_paths.cpp.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>

namespace rt {
class Device;
}

namespace stress {

using Fail = void (*)(const char* what, long a, long b);

struct WakeCounters {
  std::atomic<uint64_t> waits{0};           // waits that were listed
  std::atomic<uint64_t> ready{0};           // waits answered Ready (frames there, or closed)
  std::atomic<uint64_t> notified{0};        // notify() calls
  std::atomic<uint64_t> cancelled{0};       // cancel_wait() that took the waiter back
  std::atomic<uint64_t> duel_frames{0};     // frames received in the duel
  std::atomic<uint64_t> duel_wakeups{0};
};

// Producers transmit into one sink of a small ring while consumers drain it and wait for frames
// between drains (each wait either sleeps until notified, bounded so that a lost wake-up fails,
// or cancels). Checks: every frame received once, every listed wait notified exactly once or
// cancelled, wake-ups never more than bulks.
void wake_duel(const std::atomic<bool>& stop, Fail fail, WakeCounters& counters);

// Lists waits on the devices `pick` returns (with a lifetime reference, as the Node binding
// does), cancels some, and leaves the rest to be notified by transmits or by the devices'
// release. check_device_waits() (after every device is released) checks none is left.
void device_waits(const std::atomic<bool>& stop, Fail fail, WakeCounters& counters,
                  const std::function<rt::Device*()>& pick);
void check_device_waits(Fail fail, const WakeCounters& counters);

}  // namespace stress
