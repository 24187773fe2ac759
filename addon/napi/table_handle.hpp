// A table handle: the JS object createTable / openTable return, and what every function on it
// shares. Its functions (get, set, ..., redirect, ..., close) are flat N-API functions with the
// TableHandle in their callback data, so a call costs one boundary crossing and no method
// dispatch. The handle owns one handle reference on its table until close(), or until every
// function made for it has been garbage collected. JS thread only.
//
// Which file defines which of its functions: table_entries_binding.cpp (reads and writes of
// entries), datapath_binding.cpp (frames), table_handle.cpp (close, closed).
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

// The JS face of a handle: { id, maxEntries, kind, namespace, slots?, get, set, ... }. Takes over
// the caller's handle reference on `table`, also when it fails (nullptr, exception pending).
napi_value make_handle_object(napi_env env, Table* table);

// Adds one function bound to `handle` to its object; the handle lives until its last function
// is collected.
bool add_handle_function(napi_env env, napi_value object, TableHandle* handle, const JsFunction& function);

// Adds every function of `functions` to a handle's object; false at the first failure.
template <size_t N>
bool add_handle_functions(napi_env env, napi_value object, TableHandle* handle, const JsFunction (&functions)[N]) {
  for (const JsFunction& function : functions) {
    if (!add_handle_function(env, object, handle, function)) return false;
  }
  return true;
}

// Drops one of the handle's function references (a function was garbage collected); the last
// one releases the handle's table reference, if close() did not, and frees the handle.
void release_handle_function(TableHandle* handle);

// The argument prelude of a handle's functions: reads N arguments and the handle; throws EBADF
// for a closed handle.
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

}  // namespace rt::napi
