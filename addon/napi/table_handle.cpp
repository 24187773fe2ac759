#include "table_handle.hpp"

#include <iterator>
#include <new>

#include "datapath_binding.hpp"
#include "env_context.hpp"
#include "namespace_binding.hpp"
#include "table_entries_binding.hpp"
#include "table_registry.hpp"

namespace rt::napi {

napi_value key_out_of_range(napi_env env, const TableHandle* handle, uint32_t key) {
  if (handle->keyed_by_index) {
    return throw_redirect_error(env, -E2BIG, "key " + std::to_string(key) + " is out of range (maxEntries " +
                                                 std::to_string(handle->max_entries) + ")");
  }
  return throw_redirect_error(env, -E2BIG, "the hash table is full (maxEntries " + std::to_string(handle->max_entries) +
                                               "); key " + std::to_string(key) + " was not added");
}

namespace {

void release_handle(TableHandle* handle) {
  if (handle->table != nullptr) TableRegistry::instance().release(handle->table, nullptr);
  handle->table = nullptr;
  handle->rows.reset();
}

}  // namespace

void release_handle_function(TableHandle* handle) {
  if (--handle->live_functions != 0) return;
  release_handle(handle);  // garbage collected without close(); may run after env cleanup
  delete handle;
}

namespace {

void finalize_function(napi_env, void* data, void*) { release_handle_function(static_cast<TableHandle*>(data)); }

// close(): idempotent; the Promise resolves once this handle's reference is gone and, when it
// was the last one, the table has been freed (after a grace period).
napi_value table_close(napi_env env, napi_callback_info info) {
  void* data = nullptr;
  if (!read_args(env, info, 0, nullptr, &data)) return nullptr;
  auto* handle = static_cast<TableHandle*>(data);
  Ticket* ticket = nullptr;
  napi_value promise = EnvContext::new_promise(env, &ticket);
  if (promise == nullptr) return nullptr;  // the handle stays open: nothing happened
  Table* table = handle->table;
  handle->table = nullptr;
  handle->rows.reset();
  if (table == nullptr) {
    ticket->settle(0);
  } else {
    TableRegistry::instance().release(table, [ticket] { ticket->settle(0); });
  }
  return promise;
}

napi_value table_closed(napi_env env, napi_callback_info info) {
  void* data = nullptr;
  if (!read_args(env, info, 0, nullptr, &data)) return nullptr;
  return js_bool(env, static_cast<TableHandle*>(data)->table == nullptr);
}

constexpr JsFunction kBindings[] = {
    {"close", table_close},
    {"closed", table_closed},
};

}  // namespace

bool add_handle_function(napi_env env, napi_value object, TableHandle* handle, const JsFunction& function) {
  napi_value fn;
  if (napi_create_function(env, function.name, NAPI_AUTO_LENGTH, function.callback, handle, &fn) != napi_ok) {
    return false;
  }
  if (napi_add_finalizer(env, fn, handle, finalize_function, nullptr, nullptr) != napi_ok) return false;
  ++handle->live_functions;
  return napi_set_named_property(env, object, function.name, fn) == napi_ok;
}

// When the object cannot be made, the table reference goes with the functions already made (the
// last one's finalizer releases it), or here if none was.
napi_value make_handle_object(napi_env env, Table* table) {
  auto* handle = new (std::nothrow) TableHandle{table, table->id(), table->max_entries(), table->keyed_by_index(), 0, {}};
  if (handle == nullptr) {
    TableRegistry::instance().release(table, nullptr);
    return throw_redirect_error(env, -ENOMEM, "cannot allocate a table handle");
  }
  napi_value object = nullptr;
  const bool ok = napi_create_object(env, &object) == napi_ok && init_table_entries_binding(env, object, handle) &&
                  add_handle_functions(env, object, handle, kBindings) && init_datapath_binding(env, object, handle);
  if (!ok) {
    if (handle->live_functions == 0) {
      release_handle(handle);
      delete handle;
    }
    return nullptr;
  }
  table->ns()->retain();
  napi_value ns = wrap_namespace(env, table->ns());  // releases the reference if it fails
  SlotMemory* readable = table->readable_slots();
  EnvContext* ctx = EnvContext::of(env);
  napi_value view = readable != nullptr && ctx != nullptr ? slot_view(env, ctx->slot_views(), readable) : nullptr;
  if (view != nullptr) napi_set_named_property(env, object, "slots", view);
  return JsObject(env, object)
      .number("id", handle->id)
      .number("maxEntries", handle->max_entries)
      .string("kind", handle->keyed_by_index ? "array" : "hash")
      .set("namespace", ns)
      .done();
}

}  // namespace rt::napi
