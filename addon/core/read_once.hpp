// Reading caller-owned input arrays exactly once.
//
// Typed arrays passed from JS may sit on a SharedArrayBuffer that another thread rewrites while
// a call runs. A plain load of such memory is a data race, and the compiler may legally load an
// element twice (once for a check, once for its use) and so act on two different values: a
// frame checked against the MTU with one length and queued with another. Every element of an
// input array is therefore read with read_once() into a local, and only the local is used
// afterwards. read_once() is a relaxed atomic load (__atomic_load, the const-friendly form of
// std::atomic_ref<T>::load): the compiler may neither duplicate nor re-issue it, and on x86-64
// it is the same single mov as a plain load. Relaxed is enough: the value only has to be one
// value the other thread wrote, no ordering with other memory is needed. Typed array elements
// are naturally aligned, as atomic loads require.
#pragma once

namespace rt {

template <typename T>
inline T read_once(const T* p) {
  T value;
  __atomic_load(p, &value, __ATOMIC_RELAXED);  // the generic form: integers and doubles alike
  return value;
}

}  // namespace rt
