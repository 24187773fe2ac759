// Bindings of the calling thread's bulk queues (addon/core/bulk_queues.hpp), on the addon's
// exports: flushThread (the end-of-task flush lib/ schedules after a redirectOne), setTracing and
// tracing; and the delivery of the thread's trace events to lib/'s dispatcher that every datapath
// call ends with (dispatch_trace, datapath_result).
#pragma once

#include <node_api.h>

#include <cstddef>
#include <cstdint>

#include "bulk_queues.hpp"
#include "js.hpp"

namespace rt::napi {

// Hands the events `queues` recorded to lib/'s dispatcher. False with the dispatcher's exception
// pending if it threw (or when the environment is terminating).
bool deliver_trace_events(napi_env env, BulkQueues* queues);

// Delivers this thread's trace events, if it traces (inline: every datapath call ends here, and
// a thread that does not trace pays one thread-local load).
inline bool dispatch_trace(napi_env env) {
  BulkQueues* queues = BulkQueues::existing();
  return queues == nullptr || !queues->tracing() || deliver_trace_events(env, queues);
}

// The result of a datapath batch call (a count), once this thread's trace events are delivered;
// nullptr with the listener's exception pending when one threw.
inline napi_value datapath_result(napi_env env, size_t count) {
  if (!dispatch_trace(env)) return nullptr;
  // Usually a uint32 (V8 makes a small integer of it, never a heap number); a broadcast may
  // deliver more.
  return count <= UINT32_MAX ? js_uint32(env, static_cast<uint32_t>(count)) : js_number(env, static_cast<double>(count));
}

// Transmits every frame this thread has queued, ends its per-frame section and delivers its
// trace events: undefined, or nullptr with the listener's exception pending (flushThread, and a
// handle's flush).
inline napi_value flush_current_thread(napi_env env) {
  BulkQueues::release_current_thread();
  return dispatch_trace(env) ? js_undefined(env) : nullptr;
}

bool init_bulk_queues_binding(napi_env env, napi_value exports);

}  // namespace rt::napi
