// What every table binding shares: the handle a JS table object's functions carry as their
// callback data, and the argument prelude of those functions. JS thread only.
#pragma once

#include <node_api.h>

#include <cerrno>
#include <cstdint>
#include <memory>
#include <string>

#include "args.hpp"
#include "errors.hpp"
#include "js.hpp"
#include "table.hpp"

namespace rt::napi {

// One JS handle onto a table: owns one handle reference until close() or until every function
// object created for it has been garbage collected.
struct TableHandle {
  Table* table;  // nullptr once closed
  uint32_t id;
  uint32_t max_entries;
  bool keyed_by_index;  // array table: keys must be < max_entries
  unsigned live_functions = 0;
  // Rows taken by keys()/snapshot(), waiting for lib/ to copy them into arrays it allocated
  // (so that an allocation failure is a JS RangeError, never a fatal error inside V8).
  std::unique_ptr<TableSnapshot> rows;
};

// Reads N arguments and the handle; throws EBADF for a closed handle.
template <size_t N>
TableHandle* open_handle(napi_env env, napi_callback_info info, napi_value (&argv)[N]) {
  void* data = nullptr;
  if (!read_args(env, info, N, argv, &data)) return nullptr;
  auto* handle = static_cast<TableHandle*>(data);
  if (handle->table == nullptr) {
    throw_redirect_error(env, -EBADF, "table handle " + std::to_string(handle->id) + " is closed");
    return nullptr;
  }
  return handle;
}

// E2BIG: a key beyond an array table's slots, or a hash table that is full.
napi_value key_out_of_range(napi_env env, const TableHandle* handle, uint32_t key);

// open_handle() plus argv[0] read as a key < maxEntries (E2BIG otherwise).
template <size_t N>
TableHandle* open_handle_with_key(napi_env env, napi_callback_info info, napi_value (&argv)[N], uint32_t* key) {
  TableHandle* handle = open_handle(env, info, argv);
  if (handle == nullptr || !to_u32(env, argv[0], "key", key)) return nullptr;
  if (handle->keyed_by_index && *key >= handle->max_entries) {
    key_out_of_range(env, handle, *key);
    return nullptr;
  }
  return handle;
}

// Drops one of the handle's function references (a function was garbage collected); the last
// one releases the handle's table reference, if close() did not, and frees the handle.
void release_handle_function(TableHandle* handle);

// The result of a datapath batch call (a count), once this thread's trace events are delivered;
// nullptr with the listener's exception pending when one threw.
napi_value datapath_result(napi_env env, size_t count);

// submitQueue(capacity) of a handle (submit_queue.cpp); capacity in [1, kMaxSubmitCapacity].
inline constexpr uint32_t kMaxSubmitCapacity = 1u << 20;
napi_value table_submit_queue(napi_env env, napi_callback_info info);

// The datapath functions of a table handle (redirect, redirectOne, flush, broadcast, stats,
// submitQueue), and the thread-wide ones (flushThread, setTracing).
extern const JsFunction kDatapathFunctions[];
extern const size_t kDatapathFunctionCount;
bool init_datapath_binding(napi_env env, napi_value exports);

}  // namespace rt::napi
