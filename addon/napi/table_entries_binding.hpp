// Bindings of a table handle's entries, the table's control plane: get, set, delete, entry, the
// batches (getBatch, setBatch, deleteBatch), the conditional calls (compareAndDelete,
// compareAndSet, compareAndDeleteBatch) and the row copies (keys, snapshot, takeRows). Functions
// of the handle object (table_handle.hpp), not of the addon's exports.
#pragma once

#include <node_api.h>

namespace rt::napi {

struct TableHandle;

// Adds this file's functions to the object of `handle` (called by make_handle_object).
bool init_table_entries_binding(napi_env env, napi_value handle_object, TableHandle* handle);

}  // namespace rt::napi
