#include "thread_slot.hpp"

#include <bitset>
#include <mutex>

namespace rt {

constinit thread_local unsigned tls_thread_slot __attribute__((tls_model("initial-exec"))) = 0;

namespace {

std::mutex slots_mu;
std::bitset<kThreadSlots - 1>& taken() {
  static auto* const slots = new std::bitset<kThreadSlots - 1>();  // immortal
  return *slots;
}

struct SlotRelease {
  ~SlotRelease() {
    unsigned slot = tls_thread_slot;
    // Counter updates from thread_local destructors that run after this one (a per-frame
    // section flushed at exit) go to the shared slot from now on. Resetting to 0 would take a
    // fresh slot that is never released: this SlotRelease cannot be constructed twice.
    tls_thread_slot = kSharedThreadSlot + 1;
    if (slot == 0 || slot - 1 == kSharedThreadSlot) return;
    std::lock_guard<std::mutex> lock(slots_mu);
    taken().reset(slot - 1);
  }
};

}  // namespace

unsigned assign_thread_slot() {
  static thread_local SlotRelease release;
  (void)release;
  unsigned slot = kSharedThreadSlot;
  {
    std::lock_guard<std::mutex> lock(slots_mu);
    for (unsigned i = 0; i < kThreadSlots - 1; ++i) {
      if (!taken().test(i)) {
        taken().set(i);
        slot = i;
        break;
      }
    }
  }
  tls_thread_slot = slot + 1;
  return slot;
}

unsigned live_thread_slots() {
  std::lock_guard<std::mutex> lock(slots_mu);
  return static_cast<unsigned>(taken().count());
}

}  // namespace rt
