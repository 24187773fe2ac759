#include "table_binding.hpp"

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "args.hpp"
#include "array_table.hpp"
#include "env_context.hpp"
#include "errors.hpp"
#include "namespace.hpp"
#include "table_registry.hpp"

namespace rt::napi {

namespace {

// One JS handle onto a table: owns one handle reference until close() or until every function
// object created for it has been garbage collected. JS thread only.
struct TableHandle {
  ArrayTable* table;  // nullptr once closed
  uint32_t id;
  uint32_t max_entries;
  unsigned live_functions = 0;
};

void release_handle(TableHandle* handle) {
  if (handle->table != nullptr) TableRegistry::instance().release(handle->table, nullptr);
  handle->table = nullptr;
}

void finalize_function(napi_env, void* data, void*) {
  auto* handle = static_cast<TableHandle*>(data);
  if (--handle->live_functions != 0) return;
  release_handle(handle);  // garbage collected without close(); may run after env cleanup
  delete handle;
}

// Reads up to N arguments and the handle; throws EBADF for a closed handle.
template <size_t N>
TableHandle* open_handle(napi_env env, napi_callback_info info, napi_value (&argv)[N]) {
  size_t argc = N;
  void* data = nullptr;
  napi_get_cb_info(env, info, &argc, argv, nullptr, &data);
  auto* handle = static_cast<TableHandle*>(data);
  if (handle->table == nullptr) {
    throw_redirect_error(env, -EBADF, "table handle " + std::to_string(handle->id) + " is closed");
    return nullptr;
  }
  return handle;
}

napi_value undefined_value(napi_env env) {
  napi_value result;
  napi_get_undefined(env, &result);
  return result;
}

napi_value key_out_of_range(napi_env env, const TableHandle* handle, uint32_t key) {
  return throw_redirect_error(env, -E2BIG, "key " + std::to_string(key) + " is out of range (maxEntries " +
                                               std::to_string(handle->max_entries) + ")");
}

napi_value no_device(napi_env env, const TableHandle* handle, int ifindex) {
  return throw_redirect_error(env, -ENODEV, "no registered device with ifindex " + std::to_string(ifindex) +
                                                " in namespace " + handle->table->ns()->name());
}

// open_handle() plus argv[0] read as a key < maxEntries (E2BIG otherwise).
template <size_t N>
TableHandle* open_handle_with_key(napi_env env, napi_callback_info info, napi_value (&argv)[N], uint32_t* key) {
  TableHandle* handle = open_handle(env, info, argv);
  if (handle == nullptr || !to_u32(env, argv[0], "key", key)) return nullptr;
  if (*key >= handle->max_entries) {
    key_out_of_range(env, handle, *key);
    return nullptr;
  }
  return handle;
}

napi_value table_get(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  uint32_t key;
  TableHandle* handle = open_handle_with_key(env, info, argv, &key);
  EntryView entry;
  if (handle == nullptr) return nullptr;
  if (!handle->table->read(key, &entry)) return undefined_value(env);
  napi_value result;
  napi_create_int32(env, entry.ifindex, &result);
  return result;
}

napi_value table_set(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  uint32_t key;
  int ifindex;
  TableHandle* handle = open_handle_with_key(env, info, argv, &key);
  if (handle == nullptr || !to_ifindex(env, argv[1], &ifindex)) return nullptr;
  uint64_t revision = 0;
  int err = handle->table->update(key, ifindex, &revision);
  if (err == -ENODEV) return no_device(env, handle, ifindex);
  if (err != 0) return throw_redirect_error(env, err, "set failed");
  napi_value result;
  napi_create_double(env, static_cast<double>(revision), &result);
  return result;
}

napi_value table_delete(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  uint32_t key;
  TableHandle* handle = open_handle_with_key(env, info, argv, &key);
  if (handle == nullptr) return nullptr;
  napi_value result;
  napi_get_boolean(env, handle->table->remove(key) == 1, &result);
  return result;
}

napi_value table_entry(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  uint32_t key;
  TableHandle* handle = open_handle_with_key(env, info, argv, &key);
  EntryView entry;
  if (handle == nullptr) return nullptr;
  if (!handle->table->read(key, &entry)) return undefined_value(env);
  napi_value result, value;
  napi_create_object(env, &result);
  napi_create_int32(env, entry.ifindex, &value);
  napi_set_named_property(env, result, "ifindex", value);
  napi_create_double(env, static_cast<double>(entry.revision), &value);
  napi_set_named_property(env, result, "revision", value);
  return result;
}

napi_value table_keys(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  TableHandle* handle = open_handle(env, info, argv);
  if (handle == nullptr) return nullptr;
  std::vector<uint32_t> keys = handle->table->keys();
  void* data = nullptr;
  napi_value buffer, result;
  if (napi_create_arraybuffer(env, keys.size() * sizeof(uint32_t), &data, &buffer) != napi_ok) return nullptr;
  if (!keys.empty()) std::memcpy(data, keys.data(), keys.size() * sizeof(uint32_t));
  napi_create_typedarray(env, napi_uint32_array, keys.size(), buffer, 0, &result);
  return result;
}

napi_value table_get_batch(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  TableHandle* handle = open_handle(env, info, argv);
  TypedArrayView keys, out;
  if (handle == nullptr || !to_u32_array(env, argv[0], "keys", &keys) || !to_i32_array(env, argv[1], "out", &out)) {
    return nullptr;
  }
  if (out.length < keys.length) {
    return throw_range_error(env, "The \"out\" argument must have at least keys.length (" +
                                      std::to_string(keys.length) + ") elements. Received " + std::to_string(out.length));
  }
  size_t hits = handle->table->lookup_batch(static_cast<const uint32_t*>(keys.data), static_cast<int32_t*>(out.data),
                                            keys.length);
  napi_value result;
  napi_create_uint32(env, static_cast<uint32_t>(hits), &result);
  return result;
}

napi_value table_set_batch(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  TableHandle* handle = open_handle(env, info, argv);
  TypedArrayView keys, ifindexes;
  static const napi_typedarray_type kIfindexTypes[] = {napi_int32_array, napi_uint32_array};
  if (handle == nullptr || !to_u32_array(env, argv[0], "keys", &keys) ||
      !to_typed_array(env, argv[1], "ifindexes", kIfindexTypes, 2, "Int32Array or Uint32Array", &ifindexes)) {
    return nullptr;
  }
  if (ifindexes.length != keys.length) {
    return throw_invalid_value(env, "The \"ifindexes\" argument must have keys.length (" + std::to_string(keys.length) +
                                        ") elements. Received " + std::to_string(ifindexes.length));
  }
  const auto* key_data = static_cast<const uint32_t*>(keys.data);
  const auto* ifindex_data = static_cast<const int32_t*>(ifindexes.data);
  size_t bad = 0;
  int err = handle->table->update_batch(key_data, ifindex_data, keys.length, &bad);
  if (err == -E2BIG) return key_out_of_range(env, handle, key_data[bad]);
  if (err == -ENODEV) {
    return throw_redirect_error(env, -ENODEV, "ifindexes[" + std::to_string(bad) + "] = " +
                                                  std::to_string(ifindex_data[bad]) +
                                                  " names no registered device; nothing was set");
  }
  if (err != 0) return throw_redirect_error(env, err, "setBatch failed; nothing was set");
  napi_value result;
  napi_create_uint32(env, static_cast<uint32_t>(keys.length), &result);
  return result;
}

napi_value table_delete_batch(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  TableHandle* handle = open_handle(env, info, argv);
  TypedArrayView keys;
  if (handle == nullptr || !to_u32_array(env, argv[0], "keys", &keys)) return nullptr;
  const auto* key_data = static_cast<const uint32_t*>(keys.data);
  size_t bad = 0;
  long removed = handle->table->remove_batch(key_data, keys.length, &bad);
  if (removed == -E2BIG) return key_out_of_range(env, handle, key_data[bad]);
  napi_value result;
  napi_create_uint32(env, static_cast<uint32_t>(removed), &result);
  return result;
}

// close(): idempotent; the Promise resolves once this handle's reference is gone and, when it
// was the last one, the table has been freed (after a grace period).
napi_value table_close(napi_env env, napi_callback_info info) {
  size_t argc = 0;
  void* data = nullptr;
  napi_get_cb_info(env, info, &argc, nullptr, nullptr, &data);
  auto* handle = static_cast<TableHandle*>(data);
  Ticket* ticket = nullptr;
  napi_value promise = EnvContext::of(env)->completer().make_promise(env, &ticket);
  if (promise == nullptr) return nullptr;
  ArrayTable* table = handle->table;
  handle->table = nullptr;
  if (table == nullptr) {
    ticket->settle(0);
  } else {
    TableRegistry::instance().release(table, [ticket] { ticket->settle(0); });
  }
  return promise;
}

napi_value table_closed(napi_env env, napi_callback_info info) {
  size_t argc = 0;
  void* data = nullptr;
  napi_get_cb_info(env, info, &argc, nullptr, nullptr, &data);
  napi_value result;
  napi_get_boolean(env, static_cast<TableHandle*>(data)->table == nullptr, &result);
  return result;
}

struct FunctionSpec {
  const char* name;
  napi_callback callback;
};

constexpr FunctionSpec kHandleFunctions[] = {
    {"get", table_get},           {"set", table_set},
    {"delete", table_delete},     {"entry", table_entry},
    {"keys", table_keys},         {"getBatch", table_get_batch},
    {"setBatch", table_set_batch}, {"deleteBatch", table_delete_batch},
    {"close", table_close},       {"closed", table_closed},
};

// The JS face of a handle: { id, maxEntries, get, set, ... }.
napi_value make_handle_object(napi_env env, ArrayTable* table) {
  auto* handle = new TableHandle{table, table->id(), table->max_entries()};
  napi_value object, value;
  napi_create_object(env, &object);
  napi_create_uint32(env, handle->id, &value);
  napi_set_named_property(env, object, "id", value);
  napi_create_uint32(env, handle->max_entries, &value);
  napi_set_named_property(env, object, "maxEntries", value);
  napi_create_uint32(env, table->ns()->id(), &value);
  napi_set_named_property(env, object, "namespaceId", value);
  for (const FunctionSpec& spec : kHandleFunctions) {
    napi_value fn;
    napi_create_function(env, spec.name, NAPI_AUTO_LENGTH, spec.callback, handle, &fn);
    ++handle->live_functions;
    napi_add_finalizer(env, fn, handle, finalize_function, nullptr, nullptr);
    napi_set_named_property(env, object, spec.name, fn);
  }
  return object;
}

Namespace* namespace_by_id(napi_env env, napi_value value) {
  uint32_t id;
  if (!to_u32(env, value, "namespaceId", &id)) return nullptr;
  if (id != Namespace::kRootId) {
    throw_redirect_error(env, -ENOENT, "no namespace with id " + std::to_string(id));
    return nullptr;
  }
  return Namespace::root();
}

napi_value create_table(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  double max_entries;
  if (!to_integer(env, argv[0], "maxEntries", 1, 4294967295.0, &max_entries)) return nullptr;
  Namespace* ns = namespace_by_id(env, argv[1]);
  if (ns == nullptr) return nullptr;
  ArrayTable* table = nullptr;
  int err = ArrayTable::create(static_cast<uint32_t>(max_entries), ns, &table);
  if (err != 0) {
    return throw_redirect_error(env, err, "cannot allocate a table of " + std::to_string(max_entries) + " entries");
  }
  return make_handle_object(env, table);
}

napi_value open_table(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  uint32_t id;
  if (!to_u32(env, argv[0], "id", &id)) return nullptr;
  Table* table = TableRegistry::instance().open(id);
  if (table == nullptr) return throw_redirect_error(env, -ENOENT, "no open table with id " + std::to_string(id));
  return make_handle_object(env, static_cast<ArrayTable*>(table));
}

napi_value live_table_count(napi_env env, napi_callback_info) {
  napi_value result;
  napi_create_uint32(env, static_cast<uint32_t>(TableRegistry::instance().size()), &result);
  return result;
}

}  // namespace

void init_table_binding(napi_env env, napi_value exports) {
  napi_property_descriptor properties[] = {
      {"createTable", nullptr, create_table, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"openTable", nullptr, open_table, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"liveTableCount", nullptr, live_table_count, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
  };
  napi_define_properties(env, exports, sizeof(properties) / sizeof(properties[0]), properties);
}

}  // namespace rt::napi
