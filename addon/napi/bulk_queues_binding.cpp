#include "bulk_queues_binding.hpp"

#include <cerrno>
#include <vector>

#include "args.hpp"
#include "bulk_queues.hpp"
#include "env_context.hpp"
#include "errors.hpp"
#include "js.hpp"

namespace rt::napi {

bool deliver_trace_events(napi_env env, BulkQueues* queues) {
  std::vector<TraceEvent> events = queues->take_events();
  EnvContext* ctx = EnvContext::of(env);
  napi_value dispatcher = ctx != nullptr ? ctx->hook(env, JsHook::TraceDispatcher) : nullptr;
  if (events.empty() || dispatcher == nullptr) return true;
  JsArray list(env, events.size());
  for (const TraceEvent& e : events) {
    list.push(JsObject(env)
                  .number("tableId", e.table_id)
                  .number("fromIfindex", e.from_ifindex)
                  .number("toIfindex", e.to_ifindex)
                  .number("sent", e.sent)
                  .number("drops", e.drops)
                  .number("errors", e.errors)
                  .done());
  }
  napi_value argv[1] = {list.done()}, global, ignored;
  return argv[0] != nullptr && napi_get_global(env, &global) == napi_ok &&
         napi_call_function(env, global, dispatcher, 1, argv, &ignored) == napi_ok;
}

namespace {

// flushThread(): the end-of-task flush lib/ schedules after a redirectOne opened the section.
napi_value flush_thread(napi_env env, napi_callback_info) { return flush_current_thread(env); }

// setTracing(on): record a trace event for every bulk this thread transmits.
napi_value set_tracing(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  bool on;
  if (!read_args(env, info, 1, argv) || !to_bool(env, argv[0], "on", &on)) return nullptr;
  BulkQueues* queues = BulkQueues::current();
  if (queues == nullptr) return throw_redirect_error(env, -ENOMEM, "cannot allocate this thread's bulk queues");
  queues->set_tracing(on);
  if (!on) queues->take_events();
  return js_undefined(env);
}

// tracing(): whether this thread records trace events (tests check lib/ switches it off).
napi_value tracing(napi_env env, napi_callback_info) {
  BulkQueues* queues = BulkQueues::existing();
  return js_bool(env, queues != nullptr && queues->tracing());
}

constexpr JsFunction kBindings[] = {
    {"flushThread", flush_thread},
    {"setTracing", set_tracing},
    {"tracing", tracing},
};

}  // namespace

bool init_bulk_queues_binding(napi_env env, napi_value exports) { return add_functions(env, exports, kBindings); }

}  // namespace rt::napi
