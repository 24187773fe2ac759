#include "rcu.hpp"

#include <atomic>
#include <utility>

namespace rt::rcu {

thread_local ThreadState tls_thread_state __attribute__((tls_model("initial-exec"))) = {false, false, nullptr};

namespace {

// Registrations we own (see registered_thread_count). Touched on the slow paths only.
std::atomic<long> owned_registrations{0};

// Constructed on a thread's first registration; its destructor runs at thread exit, so no
// thread can exit registered (a registered dead thread corrupts later grace periods).
struct ExitGuard {
  ~ExitGuard() { unregister_current_thread(); }
};

}  // namespace

void register_current_thread_slow() {
  if (URCU_TLS(urcu_memb_reader).registered) {
    // A thread liburcu registered itself (a call_rcu worker running our callbacks).
    tls_thread_state.reader = &URCU_TLS(urcu_memb_reader);
    tls_thread_state.registered = true;
    return;
  }
  static thread_local ExitGuard exit_guard;
  (void)exit_guard;
  urcu_memb_register_thread();
  tls_thread_state.reader = &URCU_TLS(urcu_memb_reader);
  tls_thread_state.registered = true;
  tls_thread_state.owned = true;
  owned_registrations.fetch_add(1, std::memory_order_relaxed);
}

void unregister_current_thread() {
  if (!tls_thread_state.owned) return;
  urcu_memb_unregister_thread();
  tls_thread_state.registered = false;
  tls_thread_state.owned = false;
  owned_registrations.fetch_sub(1, std::memory_order_relaxed);
}

long registered_thread_count() { return owned_registrations.load(std::memory_order_relaxed); }

void wait_for_readers() {
  ensure_thread_registered();
  urcu_memb_synchronize_rcu();
}

}  // namespace rt::rcu
