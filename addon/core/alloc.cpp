#include "alloc.hpp"

#include <cstring>

#include <sys/mman.h>

namespace rt::alloc {

namespace {
constexpr size_t kPagesFrom = 64 * 1024;
}  // namespace

void* allocate_zeroed(size_t bytes) {
  if (inject_failure()) return nullptr;
  if (bytes < kPagesFrom) {
    // 16-byte aligned whatever the allocator (array table slots are 16-byte atomics: slots.hpp).
    const size_t rounded = bytes == 0 ? 16 : (bytes + 15) & ~size_t{15};
    void* p = std::aligned_alloc(16, rounded);
    if (p != nullptr) std::memset(p, 0, rounded);
    return p;
  }
  void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  return p == MAP_FAILED ? nullptr : p;
}

void free_zeroed(void* p, size_t bytes) {
  if (p == nullptr) return;
  if (bytes < kPagesFrom) {
    std::free(p);
  } else {
    munmap(p, bytes);
  }
}

}  // namespace rt::alloc
