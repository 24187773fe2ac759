// Bindings of redirect tables, array and hash kinds alike: createTable / openTable return a
// handle object whose functions (get, set, delete, entry, keys, snapshot, the batches and the
// compare-and-* calls, close) are flat N-API functions with the handle in their callback data,
// so a call costs one boundary crossing and no method dispatch.
#pragma once

#include <node_api.h>

namespace rt::napi {

// Adds createTable, openTable, liveTableCount, listTables and coarseNow to `exports`, then the
// datapath's functions through init_datapath_binding (datapath_binding.cpp).
bool init_table_binding(napi_env env, napi_value exports);

}  // namespace rt::napi
