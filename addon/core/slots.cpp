#include "slots.hpp"

#include <cstdlib>
#include <cstring>
#include <new>

#include "alloc.hpp"
#include "entry.hpp"
#include "memory_usage.hpp"

#if defined(__x86_64__)
#include <cpuid.h>
#endif

namespace rt {
namespace {

// REDIRECT_TABLE_SLOT_VIEWS=0 makes the process behave as on a CPU without the 16-byte
// compare-exchange (tests run the fallback this way).
bool detect_wide() {
  const char* setting = std::getenv("REDIRECT_TABLE_SLOT_VIEWS");
  if (setting != nullptr && std::strcmp(setting, "0") == 0) return false;
#if defined(__x86_64__)
  unsigned a = 0, b = 0, c = 0, d = 0;
  return __get_cpuid(1, &a, &b, &c, &d) != 0 && (c & bit_CMPXCHG16B) != 0;
#else
  return false;
#endif
}

const bool kWide = detect_wide();

// The slot's two words as the 16-byte compare-exchange sees them: the pointer, and the ifindex
// in the low half of the second word.
struct Pair {
  uint64_t entry;
  uint64_t ifindex;
};

Pair pair_of(Entry* entry) {
  return Pair{reinterpret_cast<uint64_t>(entry), entry == nullptr ? 0 : static_cast<uint32_t>(entry->ifindex)};
}

#if defined(__x86_64__)
// One `lock cmpxchg16b`: replaces *slot by `desired` when it equals `expected`, else loads it
// into `expected`. A full barrier either way.
bool compare_exchange_16(Slot* slot, Pair& expected, Pair desired) {
  bool ok;
  __asm__ __volatile__("lock cmpxchg16b %[mem]"
                       : "=@ccz"(ok), [mem] "+m"(*slot), "+a"(expected.entry), "+d"(expected.ifindex)
                       : "b"(desired.entry), "c"(desired.ifindex)
                       : "memory");
  return ok;
}
#else
bool compare_exchange_16(Slot*, Pair&, Pair) { std::abort(); }  // never called: kWide is false
#endif

// A first guess of the slot's contents for a compare-exchange, which corrects it when wrong.
Pair guess(Slot* slot) {
  return Pair{reinterpret_cast<uint64_t>(std::atomic_ref<Entry*>(slot->entry).load(std::memory_order_relaxed)),
              static_cast<uint32_t>(std::atomic_ref<int32_t>(slot->ifindex).load(std::memory_order_relaxed))};
}

}  // namespace

bool slots_wide() { return kWide; }

void SlotRef::load_both(Entry** entry, int32_t* ifindex) const {
  if (!kWide) {
    *entry = load(std::memory_order_acquire);
    *ifindex = 0;
    return;
  }
  Pair current{0, 0};
  compare_exchange_16(slot_, current, current);  // stores {0, 0} over {0, 0}, else loads
  *entry = reinterpret_cast<Entry*>(current.entry);
  *ifindex = static_cast<int32_t>(static_cast<uint32_t>(current.ifindex));
}

Entry* SlotRef::exchange(Entry* desired) {
  if (!kWide) return std::atomic_ref<Entry*>(slot_->entry).exchange(desired, std::memory_order_seq_cst);
  Pair current = guess(slot_);
  while (!compare_exchange_16(slot_, current, pair_of(desired))) {
  }
  return reinterpret_cast<Entry*>(current.entry);
}

bool SlotRef::compare_exchange(Entry*& expected, Entry* desired) {
  if (!kWide) {
    return std::atomic_ref<Entry*>(slot_->entry).compare_exchange_strong(expected, desired, std::memory_order_seq_cst);
  }
  // The ifindex word is a function of the pointer, so it is read from the slot rather than from
  // *expected (which the caller may not be allowed to dereference): a wrong guess fails with the
  // slot's real contents, and the retry with the same pointer carries the right ifindex.
  Pair current{reinterpret_cast<uint64_t>(expected), guess(slot_).ifindex};
  const Pair want = pair_of(desired);
  while (!compare_exchange_16(slot_, current, want)) {
    if (current.entry != reinterpret_cast<uint64_t>(expected)) {
      expected = reinterpret_cast<Entry*>(current.entry);
      return false;
    }
  }
  return true;
}

SlotMemory* SlotMemory::create(uint32_t count) {
  auto* slots = static_cast<Slot*>(alloc::allocate_zeroed(size_t{count} * sizeof(Slot)));
  if (slots == nullptr) return nullptr;
  auto* memory = alloc::inject_failure() ? nullptr : new (std::nothrow) SlotMemory(slots, count);
  if (memory == nullptr) {
    alloc::free_zeroed(slots, size_t{count} * sizeof(Slot));
    return nullptr;
  }
  memory::allocated(memory::kTables, sizeof(SlotMemory) + memory->bytes());
  return memory;
}

void SlotMemory::release() {
  if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
}

SlotMemory::~SlotMemory() {
  alloc::free_zeroed(slots_, bytes());
  memory::freed(memory::kTables, sizeof(SlotMemory) + bytes());
}

}  // namespace rt
