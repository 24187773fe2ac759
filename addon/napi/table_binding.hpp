// Bindings of the array redirect table: createTable / openTable return a handle object whose
// hot functions (get, set, delete, batches) are flat N-API functions with the handle in their
// callback data, so a call costs one boundary crossing and no method dispatch.
#pragma once

#include <node_api.h>

namespace rt::napi {

// Adds createTable, openTable, liveTableCount, coarseNow and the datapath's thread-wide
// functions (flushThread, setTracing) to `exports`.
bool init_table_binding(napi_env env, napi_value exports);

}  // namespace rt::napi
