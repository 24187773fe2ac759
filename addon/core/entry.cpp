#include "entry.hpp"

#include <atomic>
#include <cerrno>
#include <ctime>
#include <new>

#include "memory_usage.hpp"
#include "namespace.hpp"

namespace rt {

namespace {

std::atomic<uint64_t> revision_counter{1};

void destroy_after_grace_period(rcu_head* head) { Entry::destroy(caa_container_of(head, Entry, rcu)); }

}  // namespace

uint64_t next_revision() { return revision_counter.fetch_add(1, std::memory_order_relaxed); }

Entry* Entry::create(Device* device, uint64_t generation) {
  auto* entry = new (std::nothrow) Entry{device, device->ifindex(), next_revision(), generation, {}, {}, nullptr, 0, false};
  if (entry == nullptr) return nullptr;
  entry->last_used.store(coarse_now_ms(), std::memory_order_relaxed);
  memory::allocated(memory::kEntries, sizeof(Entry));
  return entry;
}

int Entry::resolve(Namespace* ns, int ifindex, Entry** out) {
  uint64_t generation = 0;
  Device* dev = ns->acquire_device_usage(ifindex, &generation);
  if (dev == nullptr) return -ENODEV;
  *out = create(dev, generation);
  if (*out == nullptr) {
    dev->release_usage();
    return -ENOMEM;
  }
  return 0;
}

uint64_t coarse_now_ms() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000 + static_cast<uint64_t>(ts.tv_nsec) / 1000000;
}

void Entry::retire(Entry* entry) { rcu::call_after_grace_period_lazily(&entry->rcu, destroy_after_grace_period); }

namespace {

void destroy_chain_after_grace_period(rcu_head* head) {
  Device* run_device = nullptr;
  int64_t run = 0;
  size_t count = 0;
  for (Entry* e = caa_container_of(head, Entry, rcu); e != nullptr;) {
    Entry* next = e->next;
    Device* device = e->device;
    delete e;
    ++count;
    if (device != run_device) {
      if (run_device != nullptr) run_device->release_usage(run);
      run_device = device;
      run = 0;
    }
    ++run;
    e = next;
  }
  memory::freed(memory::kEntries, count * sizeof(Entry));
  if (run_device != nullptr) run_device->release_usage(run);
}

}  // namespace

void Entry::retire_chain(Entry* first) { rcu::call_after_grace_period(&first->rcu, destroy_chain_after_grace_period); }

void Entry::destroy(Entry* entry) {
  Device* device = entry->device;
  delete entry;
  memory::freed(memory::kEntries, sizeof(Entry));
  device->release_usage();
}

}  // namespace rt
