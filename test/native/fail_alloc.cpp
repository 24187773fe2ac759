// See fail_alloc.hpp. Replaces the global (non-aligned) operator new/delete with malloc/free
// plus the countdown; over-aligned forms stay the sanitizer runtime's.
#include "fail_alloc.hpp"

#include <cstdlib>
#include <new>

#include "alloc.hpp"

namespace {
thread_local unsigned countdown = 0;
thread_local bool fired = false;
}  // namespace

namespace stress {
void arm_allocation_failure(unsigned n) {
  countdown = n;
  fired = false;
}
bool allocation_failure_fired() { return fired; }
}  // namespace stress

namespace rt::alloc {
bool inject_failure() {
  if (countdown == 0 || --countdown != 0) return false;
  fired = true;
  return true;
}
}  // namespace rt::alloc

namespace {
void* allocate(std::size_t size) {
  if (rt::alloc::inject_failure()) return nullptr;
  return std::malloc(size == 0 ? 1 : size);
}
}  // namespace

void* operator new(std::size_t size) {
  if (void* p = allocate(size)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t size) { return operator new(size); }
void* operator new(std::size_t size, const std::nothrow_t&) noexcept { return allocate(size); }
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept { return allocate(size); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
