// Allocation in the core never throws and never aborts: every allocation either succeeds or is
// reported as -ENOMEM by the operation that needed it, which then has changed nothing.
//
//  - alloc::calloc / alloc::make: nothrow forms (make also catches a throwing constructor);
//  - alloc::Scratch: a fixed-size, uninitialised array for batch scratch space;
//  - standard containers (std::vector, std::string, maps) throw std::bad_alloc, caught at the
//    core function that used them, before or after (never during) its changes to shared state.
//
// Fault injection: the sanitizer stress test (test/native) defines RT_FAIL_ALLOC and provides
// inject_failure() (and replaces operator new), so the Nth allocation of an operation fails.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <utility>
#include <vector>

namespace rt::alloc {

#ifdef RT_FAIL_ALLOC
bool inject_failure();  // defined by the test binary
#else
inline bool inject_failure() { return false; }
#endif

inline void* calloc(size_t n, size_t size) {
  if (inject_failure()) return nullptr;
  return std::calloc(n, size);
}

template <typename T, typename... Args>
T* make(Args&&... args) {
  if (inject_failure()) return nullptr;
  try {
    return new (std::nothrow) T(std::forward<Args>(args)...);
  } catch (const std::bad_alloc&) {
    return nullptr;
  }
}

// Empties `v` and makes room for `n` elements, so that filling it cannot throw; false when out
// of memory (then `v` is empty).
template <typename T>
bool clear_and_reserve(std::vector<T>* v, size_t n) {
  v->clear();
  if (inject_failure()) return false;
  try {
    v->reserve(n);
  } catch (const std::bad_alloc&) {
    return false;
  }
  return true;
}

// Zeroed arrays that may be large (slot and bucket arrays, descriptor rings). From 64 KiB up
// they get pages of their own from mmap, so that freeing one returns it to the system: through
// malloc, glibc's mmap threshold rises with every large block freed (up to 32 MiB), and blocks
// below it stay in the arena of the thread that allocated them once freed (docs/design.md,
// "Memory"). Always 16-byte aligned. nullptr when out of memory; free with free_zeroed(p, the same bytes).
void* allocate_zeroed(size_t bytes);
void free_zeroed(void* p, size_t bytes);

// Scratch space of trivially copyable elements, left uninitialised, freed on scope exit.
template <typename T>
class Scratch {
 public:
  Scratch() = default;
  ~Scratch() { std::free(data_); }
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;

  // false when out of memory.
  bool allocate(size_t n) {
    if (n == 0) return true;
    if (n > SIZE_MAX / sizeof(T) || inject_failure()) return false;
    data_ = static_cast<T*>(std::malloc(n * sizeof(T)));
    size_ = data_ != nullptr ? n : 0;
    return data_ != nullptr;
  }

  T& operator[](size_t i) { return data_[i]; }
  const T& operator[](size_t i) const { return data_[i]; }
  T* begin() { return data_; }
  T* end() { return data_ + size_; }
  size_t size() const { return size_; }

 private:
  T* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace rt::alloc
