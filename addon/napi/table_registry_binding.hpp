// Bindings of the tables as a whole, on the addon's exports: createTable and openTable (each
// returns a table handle, table_handle.hpp), listTables, liveTableCount, and coarseNow (the clock
// entries' lastUsed is stamped with). A handle's own functions live in table_entries_binding.cpp
// and datapath_binding.cpp.
#pragma once

#include <node_api.h>

namespace rt::napi {

bool init_table_registry_binding(napi_env env, napi_value exports);

}  // namespace rt::napi
