#include "transmit_index.hpp"

#include <mutex>
#include <new>
#include <vector>

#include "alloc.hpp"

namespace rt::transmit_index {

namespace {

struct Numbers {
  std::mutex mu;
  std::vector<uint32_t> free;  // capacity >= every number handed out, so give_back never allocates
  uint32_t next = 0;
};

Numbers& numbers() {
  static Numbers* n = new Numbers;  // never destroyed: devices may be freed during exit
  return *n;
}

}  // namespace

uint32_t take() {
  Numbers& n = numbers();
  std::lock_guard<std::mutex> lock(n.mu);
  if (!n.free.empty()) {
    uint32_t index = n.free.back();
    n.free.pop_back();
    return index;
  }
  if (n.next == kNone || alloc::inject_failure()) return kNone;
  try {
    if (n.free.capacity() < size_t{n.next} + 1) n.free.reserve((size_t{n.next} + 1) * 2);
  } catch (const std::bad_alloc&) {
    return kNone;
  }
  return n.next++;
}

void give_back(uint32_t index) {
  if (index == kNone) return;
  Numbers& n = numbers();
  std::lock_guard<std::mutex> lock(n.mu);
  n.free.push_back(index);  // within the reserved capacity
}

}  // namespace rt::transmit_index
