// Allocation fault injection for the stress test (RT_FAIL_ALLOC): a thread arms a countdown, and
// the Nth allocation it makes afterwards fails (operator new throws std::bad_alloc, the core's
// nothrow allocations return null; see addon/core/alloc.hpp). Other threads are unaffected.
#pragma once

namespace stress {

// The `n`th allocation of this thread from now fails (n >= 1); 0 disarms.
void arm_allocation_failure(unsigned n);
// Whether the armed failure happened (the countdown reached it) since arming.
bool allocation_failure_fired();

}  // namespace stress
