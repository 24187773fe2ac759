// Module entry: one EnvContext per environment (main thread, each worker), the process-wide
// functions below (setHooks, the constants, the diagnostics), then each binding file's functions.
//
// Every binding file follows one style (plain Node-API through js.hpp and args.hpp, snake_case
// names after the JS name, one kBindings table and one init_*_binding per file): docs/design.md,
// "Binding style".
#include <node_api.h>

#include <string>
#include <utility>

#include "args.hpp"
#include "arena_trim.hpp"
#include "bulk_queues.hpp"
#include "bulk_queues_binding.hpp"
#include "device.hpp"
#include "device_binding.hpp"
#include "device_ring_binding.hpp"
#include "env_context.hpp"
#include "errors.hpp"
#include "js.hpp"
#include "memory_usage.hpp"
#include "namespace.hpp"
#include "namespace_binding.hpp"
#include "rcu.hpp"
#include "sink.hpp"
#include "submit_queue.hpp"
#include "table_registry_binding.hpp"
#include "thread_slot.hpp"
#include "verdict.hpp"

namespace rt::napi {
namespace {

// The floor of a native call from JS, for the benchmarks.
napi_value noop(napi_env, napi_callback_info) { return nullptr; }

// The floor of a call that reads one number argument and returns one, as get() does.
napi_value echo(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  void* data;
  double value = 0;
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, &data) != napi_ok ||
      napi_get_value_double(env, argv[0], &value) != napi_ok) {
    return nullptr;
  }
  napi_value result;
  return napi_create_int32(env, static_cast<int32_t>(value), &result) == napi_ok ? result : nullptr;
}

// registeredThreadCount(): threads registered with liburcu by us right now (internal, for the
// tests that look for registration leaks).
napi_value registered_thread_count(napi_env env, napi_callback_info) {
  return js_number(env, static_cast<double>(rt::rcu::registered_thread_count()));
}

// liveThreadSlots(): per-thread counter slots taken by live threads (internal, for the tests
// that check slots are returned when threads exit).
napi_value live_thread_slots(napi_env env, napi_callback_info) { return js_uint32(env, rt::live_thread_slots()); }

// liveObjects(): { devices, namespaces } allocated and not yet freed (internal, for leak checks:
// the soak run and tests).
napi_value live_objects(napi_env env, napi_callback_info) {
  return JsObject(env)
      .number("devices", static_cast<double>(rt::Device::live_count()))
      .number("namespaces", static_cast<double>(rt::Namespace::live_count()))
      .done();
}

// memoryUsage(): bytes the core holds by kind (README, "memoryUsage()").
napi_value memory_usage(napi_env env, napi_callback_info) {
  static constexpr std::pair<const char*, rt::memory::Kind> kKinds[] = {
      {"tables", rt::memory::kTables},   {"entries", rt::memory::kEntries},       {"rings", rt::memory::kRings},
      {"devices", rt::memory::kDevices}, {"namespaces", rt::memory::kNamespaces}, {"threads", rt::memory::kThreads}};
  JsObject usage(env);
  double total = 0;
  for (const auto& [name, kind] : kKinds) {
    const auto bytes = static_cast<double>(rt::memory::in_use(kind));
    total += bytes;
    usage.number(name, bytes);
  }
  return usage.number("total", total).done();
}

// arenaTrims(): { trims, longestMicros }: how many times the free pages of malloc arenas were
// handed back after workers ended, and the longest trim (internal, for the tests and the soak).
napi_value arena_trims(napi_env env, napi_callback_info) {
  const rt::memory::TrimStats stats = rt::memory::trim_stats();
  return JsObject(env)
      .number("trims", static_cast<double>(stats.trims))
      .number("longestMicros", static_cast<double>(stats.longest_us))
      .done();
}

// setHooks({ RedirectError, dispatchTrace }): lib/ registers its functions.
napi_value set_hooks(napi_env env, napi_callback_info info) {
  static const std::pair<const char*, JsHook> kHooks[] = {{"RedirectError", JsHook::RedirectErrorClass},
                                                          {"dispatchTrace", JsHook::TraceDispatcher}};
  napi_value argv[1];
  napi_valuetype type;
  if (!read_args(env, info, 1, argv) || napi_typeof(env, argv[0], &type) != napi_ok) return nullptr;
  if (type != napi_object) return throw_type_error(env, "The \"hooks\" argument must be of type object");
  EnvContext* ctx = EnvContext::of(env);
  if (ctx == nullptr) return throw_redirect_error(env, -ENOMEM, "the addon failed to initialise in this environment");
  for (const auto& [name, which] : kHooks) {
    napi_value fn;
    if (napi_get_named_property(env, argv[0], name, &fn) != napi_ok || napi_typeof(env, fn, &type) != napi_ok) {
      return nullptr;
    }
    if (type != napi_function) {
      return throw_type_error(env, std::string("The \"hooks.") + name + "\" property must be a function");
    }
    if (!ctx->set_hook(env, which, fn)) return nullptr;
  }
  return js_undefined(env);
}

// constants: the core's values that lib/ uses (lib/constants.ts reads them once): the verdicts by
// errno name, the bulk size, device defaults, the root namespace's id, the largest submit queue.
napi_value make_constants(napi_env env) {
  JsObject verdicts(env);
  for (const auto& [name, value] : rt::verdict::kAll) verdicts.number(name, value);
  return JsObject(env)
      .set("verdicts", verdicts.done())
      .number("bulkSize", rt::BulkQueues::kBulkSize)
      .number("defaultMtu", rt::kDefaultMtu)
      .number("defaultRingSize", rt::Sink::kDefaultSize)
      .number("rootNamespaceId", rt::Namespace::kRootId)
      .number("maxSubmitCapacity", kMaxSubmitCapacity)
      .done();
}

constexpr JsFunction kBindings[] = {
    {"setHooks", set_hooks},
    {"noop", noop},
    {"echo", echo},
    {"registeredThreadCount", registered_thread_count},
    {"liveThreadSlots", live_thread_slots},
    {"liveObjects", live_objects},
    {"memoryUsage", memory_usage},
    {"arenaTrims", arena_trims},
};

}  // namespace

// Loading may be cut short by a terminating environment: whatever was not added is simply
// missing (nobody can call it), and nothing here throws on top of a pending exception.
napi_value init_addon(napi_env env, napi_value exports) {
  if (!Namespace::prepare_root()) {
    napi_throw_error(env, "ERR_REDIRECT_TABLE_THREAD_LIMIT",
                     "redirect-table: cannot load: no thread can start (the process is at its thread limit), "
                     "and liburcu needs one for the namespaces' indexes; load the package before the limit is reached");
    return nullptr;
  }
  if (EnvContext::install(env) == nullptr) return exports;
  if (!add_functions(env, exports, kBindings)) return exports;
  if (!JsObject(env, exports).set("constants", make_constants(env)).done()) return exports;
  if (init_table_registry_binding(env, exports) && init_bulk_queues_binding(env, exports) &&
      init_namespace_binding(env, exports) && init_device_binding(env, exports)) {
    init_device_ring_binding(env, exports);
  }
  return exports;
}

}  // namespace rt::napi

NAPI_MODULE_INIT() { return rt::napi::init_addon(env, exports); }
