// Bindings of a table handle's datapath: redirect, redirectOne, flush, broadcast, stats and
// submitQueue (its staging area in submit_queue.cpp). Hot: flat functions of the handle object
// (table_handle.hpp), small integers out, nothing allocated unless tracing is on. The thread-wide
// calls (flushThread, setTracing) are in bulk_queues_binding.cpp.
#pragma once

#include <node_api.h>

namespace rt::napi {

struct TableHandle;

// Adds this file's functions to the object of `handle` (called by make_handle_object).
bool init_datapath_binding(napi_env env, napi_value handle_object, TableHandle* handle);

}  // namespace rt::napi
