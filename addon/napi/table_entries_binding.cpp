#include "table_entries_binding.hpp"

#include <cerrno>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "entry.hpp"
#include "namespace.hpp"
#include "table_handle.hpp"

namespace rt::napi {

namespace {

napi_value no_device(napi_env env, const TableHandle* handle, int ifindex) {
  return throw_redirect_error(env, -ENODEV, "no registered device with ifindex " + std::to_string(ifindex) +
                                                " in namespace " + handle->table->ns()->name());
}

// Reads the key argument and the entry under it: false with an exception pending, else true
// with *found saying whether the key has an entry.
bool read_keyed_entry(napi_env env, napi_callback_info info, EntryView* entry, bool* found) {
  napi_value argv[1];
  uint32_t key;
  TableHandle* handle = open_handle_with_key(env, info, argv, &key);
  if (handle == nullptr) return false;
  *found = handle->table->read(key, entry);
  return true;
}

napi_value table_get(napi_env env, napi_callback_info info) {
  EntryView entry;
  bool found;
  if (!read_keyed_entry(env, info, &entry, &found)) return nullptr;
  return found ? js_int32(env, entry.ifindex) : js_undefined(env);
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
  if (err == -E2BIG) return key_out_of_range(env, handle, key);
  if (err != 0) return throw_redirect_error(env, err, "set of key " + std::to_string(key) + " failed");
  return js_number(env, static_cast<double>(revision));
}

napi_value table_delete(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  uint32_t key;
  TableHandle* handle = open_handle_with_key(env, info, argv, &key);
  if (handle == nullptr) return nullptr;
  return js_bool(env, handle->table->remove(key) == 1);
}

napi_value table_entry(napi_env env, napi_callback_info info) {
  EntryView entry;
  bool found;
  if (!read_keyed_entry(env, info, &entry, &found)) return nullptr;
  if (!found) return js_undefined(env);
  return JsObject(env)
      .number("ifindex", entry.ifindex)
      .number("revision", static_cast<double>(entry.revision))
      .number("lastUsed", static_cast<double>(entry.last_used))
      .done();
}

// keys() / snapshot(): takes the rows into the handle and returns how many; lib/ allocates the
// arrays and copies them out with takeRows(). A failed allocation here is ENOMEM.
template <bool kKeysOnly>
napi_value take_rows_into_handle(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  TableHandle* handle = open_handle(env, info, argv);
  if (handle == nullptr) return nullptr;
  handle->rows.reset();
  std::unique_ptr<TableSnapshot> rows(new (std::nothrow) TableSnapshot());
  int err = rows == nullptr ? -ENOMEM : kKeysOnly ? handle->table->keys(&rows->keys) : handle->table->snapshot(rows.get());
  if (err != 0) {
    return throw_redirect_error(env, err, std::string("cannot allocate the ") + (kKeysOnly ? "keys" : "snapshot") +
                                              " of table " + std::to_string(handle->id));
  }
  handle->rows = std::move(rows);
  return js_number(env, static_cast<double>(handle->rows->keys.size()));
}

napi_value table_keys(napi_env env, napi_callback_info info) { return take_rows_into_handle<true>(env, info); }
napi_value table_snapshot(napi_env env, napi_callback_info info) { return take_rows_into_handle<false>(env, info); }

// Copies the first `n` values of `from` into a typed array argument (if passed), converted to
// its element type T.
template <typename T, typename From>
bool copy_rows(napi_env env, napi_value value, const char* what, napi_typedarray_type type, const std::vector<From>& from) {
  napi_valuetype js_type;
  if (napi_typeof(env, value, &js_type) != napi_ok) return false;
  if (js_type == napi_undefined) return true;
  TypedArrayView out;
  if (!to_typed_array(env, value, what, &type, 1, what, &out)) return false;
  auto* data = static_cast<T*>(out.data);
  for (size_t i = 0; i < from.size() && i < out.length; ++i) data[i] = static_cast<T>(from[i]);
  return true;
}

// takeRows(keys?, ifindexes?, revisions?, lastUsed?): copies the rows taken by keys() or
// snapshot() into the arrays given and forgets them (called with none, it only forgets them).
napi_value table_take_rows(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  TableHandle* handle = open_handle(env, info, argv);
  if (handle == nullptr) return nullptr;
  std::unique_ptr<TableSnapshot> rows = std::move(handle->rows);
  if (rows == nullptr) return js_undefined(env);
  if (!copy_rows<uint32_t>(env, argv[0], "Uint32Array", napi_uint32_array, rows->keys) ||
      !copy_rows<int32_t>(env, argv[1], "Int32Array", napi_int32_array, rows->ifindexes) ||
      !copy_rows<double>(env, argv[2], "Float64Array", napi_float64_array, rows->revisions) ||
      !copy_rows<double>(env, argv[3], "Float64Array", napi_float64_array, rows->last_used)) {
    return nullptr;
  }
  return js_undefined(env);
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
  return js_uint32(env, static_cast<uint32_t>(hits));
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
  BatchFault bad;
  int err = handle->table->update_batch(key_data, ifindex_data, keys.length, &bad);
  if (err == -E2BIG) return key_out_of_range(env, handle, bad.key);
  if (err == -ENODEV) {
    return throw_redirect_error(env, -ENODEV, "ifindexes[" + std::to_string(bad.index) + "] = " +
                                                  std::to_string(bad.ifindex) +
                                                  " names no registered device; nothing was set");
  }
  if (err != 0) return throw_redirect_error(env, err, "setBatch failed; nothing was set");
  return js_uint32(env, static_cast<uint32_t>(keys.length));
}

napi_value table_delete_batch(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  TableHandle* handle = open_handle(env, info, argv);
  TypedArrayView keys;
  if (handle == nullptr || !to_u32_array(env, argv[0], "keys", &keys)) return nullptr;
  const auto* key_data = static_cast<const uint32_t*>(keys.data);
  BatchFault bad;
  long removed = handle->table->remove_batch(key_data, keys.length, &bad);
  if (removed == -E2BIG) return key_out_of_range(env, handle, bad.key);
  if (removed < 0) return throw_redirect_error(env, static_cast<int>(removed), "deleteBatch failed; nothing was deleted");
  return js_uint32(env, static_cast<uint32_t>(removed));
}

constexpr double kMaxSafeInteger = 9007199254740991.0;

bool read_revision(napi_env env, napi_value value, uint64_t* revision) {
  double d;
  if (!to_integer(env, value, "revision", 0, kMaxSafeInteger, &d)) return false;
  *revision = static_cast<uint64_t>(d);
  return true;
}

napi_value conditional_error(napi_env env, int err, uint32_t key, uint64_t revision) {
  if (err == -ENOENT) return throw_redirect_error(env, err, "no entry in key " + std::to_string(key));
  if (err == -EBUSY) {
    return throw_redirect_error(env, err, "key " + std::to_string(key) + " no longer holds revision " +
                                              std::to_string(revision) + " as it was");
  }
  return throw_redirect_error(env, err, "conditional update of key " + std::to_string(key) + " failed");
}

// compareAndDelete(key, revision): true, or ENOENT / EBUSY.
napi_value table_compare_and_delete(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  uint32_t key;
  uint64_t revision;
  TableHandle* handle = open_handle_with_key(env, info, argv, &key);
  if (handle == nullptr || !read_revision(env, argv[1], &revision)) return nullptr;
  int err = handle->table->compare_and_delete(key, revision, nullptr);
  if (err != 0) return conditional_error(env, err, key, revision);
  return js_bool(env, true);
}

// compareAndSet(key, ifindex, revision): the new revision, or ENOENT / EBUSY / ENODEV.
napi_value table_compare_and_set(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  uint32_t key;
  int ifindex;
  uint64_t revision, fresh = 0;
  TableHandle* handle = open_handle_with_key(env, info, argv, &key);
  if (handle == nullptr || !to_ifindex(env, argv[1], &ifindex) || !read_revision(env, argv[2], &revision)) {
    return nullptr;
  }
  int err = handle->table->compare_and_set(key, ifindex, revision, &fresh);
  if (err == -ENODEV) return no_device(env, handle, ifindex);
  if (err != 0) return conditional_error(env, err, key, revision);
  return js_number(env, static_cast<double>(fresh));
}

// compareAndDeleteBatch(keys, revisions, lastUsed?, statuses?): deleted count; statuses[i] is
// 0 / -ENOENT / -EBUSY / -E2BIG. Never stops at the first failure.
napi_value table_compare_and_delete_batch(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  TableHandle* handle = open_handle(env, info, argv);
  TypedArrayView keys, revisions, last_used{nullptr, 0}, statuses{nullptr, 0};
  static const napi_typedarray_type kFloat64[] = {napi_float64_array};
  if (handle == nullptr || !to_u32_array(env, argv[0], "keys", &keys) ||
      !to_typed_array(env, argv[1], "revisions", kFloat64, 1, "Float64Array", &revisions)) {
    return nullptr;
  }
  // Whether the optional arrays were passed, from their type: an empty typed array has no data
  // pointer, so the pointer cannot tell "not passed" from "passed with no elements".
  napi_valuetype used_type, statuses_type;
  if (napi_typeof(env, argv[2], &used_type) != napi_ok || napi_typeof(env, argv[3], &statuses_type) != napi_ok) {
    return nullptr;
  }
  const bool with_last_used = used_type != napi_undefined, with_statuses = statuses_type != napi_undefined;
  if (with_last_used && !to_typed_array(env, argv[2], "lastUsed", kFloat64, 1, "Float64Array", &last_used)) {
    return nullptr;
  }
  if (with_statuses && !to_i32_array(env, argv[3], "statuses", &statuses)) return nullptr;
  size_t n = keys.length;
  if (revisions.length != n || (with_last_used && last_used.length != n) || (with_statuses && statuses.length < n)) {
    return throw_invalid_value(env, "revisions (and lastUsed) must have keys.length (" + std::to_string(n) +
                                        ") elements, statuses at least that many");
  }
  const auto* key_data = static_cast<const uint32_t*>(keys.data);
  const auto* rev_data = static_cast<const double*>(revisions.data);
  const auto* used_data = static_cast<const double*>(last_used.data);
  auto* status_data = static_cast<int32_t*>(statuses.data);
  // A revision or stamp that is not a whole number in [0, 2^53] matches no entry: EBUSY.
  const auto whole = [](double v) { return v >= 0 && v <= kMaxSafeInteger && v == static_cast<double>(static_cast<uint64_t>(v)); };
  uint32_t deleted = 0;
  for (size_t i = 0; i < n; ++i) {
    // Each input element is read once: the arrays may sit on memory another thread rewrites.
    const uint32_t key = read_once(key_data + i);
    const double rev = read_once(rev_data + i);
    const double used = with_last_used ? read_once(used_data + i) : 0;
    int status = -EBUSY;
    if (whole(rev) && whole(used)) {
      const uint64_t stamp = static_cast<uint64_t>(used);
      status = handle->table->compare_and_delete(key, static_cast<uint64_t>(rev), with_last_used ? &stamp : nullptr);
    }
    deleted += status == 0;
    if (with_statuses) status_data[i] = status;
  }
  return js_uint32(env, deleted);
}

constexpr JsFunction kBindings[] = {
    {"get", table_get},
    {"set", table_set},
    {"delete", table_delete},
    {"entry", table_entry},
    {"keys", table_keys},
    {"snapshot", table_snapshot},
    {"takeRows", table_take_rows},
    {"getBatch", table_get_batch},
    {"setBatch", table_set_batch},
    {"deleteBatch", table_delete_batch},
    {"compareAndDelete", table_compare_and_delete},
    {"compareAndSet", table_compare_and_set},
    {"compareAndDeleteBatch", table_compare_and_delete_batch},
};

}  // namespace

bool init_table_entries_binding(napi_env env, napi_value handle_object, TableHandle* handle) {
  return add_handle_functions(env, handle_object, handle, kBindings);
}

}  // namespace rt::napi
