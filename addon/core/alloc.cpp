#include "alloc.hpp"

#include <sys/mman.h>

namespace rt::alloc {

namespace {
constexpr size_t kPagesFrom = 64 * 1024;
}  // namespace

void* allocate_zeroed(size_t bytes) {
  if (inject_failure()) return nullptr;
  if (bytes < kPagesFrom) return std::calloc(1, bytes == 0 ? 1 : bytes);
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
