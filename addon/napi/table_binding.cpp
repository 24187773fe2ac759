#include "table_binding.hpp"

#include <cerrno>
#include <cstring>
#include <utility>
#include <string>
#include <vector>

#include "args.hpp"
#include "array_table.hpp"
#include "hash_table.hpp"
#include "bulk_queues.hpp"
#include "env_context.hpp"
#include "errors.hpp"
#include "namespace.hpp"
#include "namespace_binding.hpp"
#include "table_registry.hpp"

namespace rt::napi {

namespace {

// One JS handle onto a table: owns one handle reference until close() or until every function
// object created for it has been garbage collected. JS thread only.
struct TableHandle {
  Table* table;  // nullptr once closed
  uint32_t id;
  uint32_t max_entries;
  bool keyed_by_index;  // array table: keys must be < max_entries
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

// E2BIG: a key beyond an array table's slots, or a hash table that is full.
napi_value key_out_of_range(napi_env env, const TableHandle* handle, uint32_t key) {
  if (handle->keyed_by_index) {
    return throw_redirect_error(env, -E2BIG, "key " + std::to_string(key) + " is out of range (maxEntries " +
                                                 std::to_string(handle->max_entries) + ")");
  }
  return throw_redirect_error(env, -E2BIG, "the hash table is full (maxEntries " + std::to_string(handle->max_entries) +
                                               "); key " + std::to_string(key) + " was not added");
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
  if (handle->keyed_by_index && *key >= handle->max_entries) {
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
  if (err == -E2BIG) return key_out_of_range(env, handle, key);
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
  napi_create_double(env, static_cast<double>(entry.last_used), &value);
  napi_set_named_property(env, result, "lastUsed", value);
  return result;
}

template <typename T>
napi_value typed_array_of(napi_env env, napi_typedarray_type type, const std::vector<T>& values) {
  void* data = nullptr;
  napi_value buffer, result;
  napi_create_arraybuffer(env, values.size() * sizeof(T), &data, &buffer);
  if (!values.empty()) std::memcpy(data, values.data(), values.size() * sizeof(T));
  napi_create_typedarray(env, type, values.size(), buffer, 0, &result);
  return result;
}

napi_value table_keys(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  TableHandle* handle = open_handle(env, info, argv);
  if (handle == nullptr) return nullptr;
  std::vector<uint32_t> keys;
  if (int err = handle->table->keys(&keys)) return throw_redirect_error(env, err, "keys: out of memory");
  return typed_array_of(env, napi_uint32_array, keys);
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
  if (removed < 0) return throw_redirect_error(env, static_cast<int>(removed), "deleteBatch failed; nothing was deleted");
  napi_value result;
  napi_create_uint32(env, static_cast<uint32_t>(removed), &result);
  return result;
}

// Hands this thread's trace events (if it traces) to lib/'s dispatcher. Returns false with the
// dispatcher's exception pending if it threw.
bool dispatch_trace(napi_env env) {
  BulkQueues* queues = BulkQueues::existing();
  if (queues == nullptr || !queues->tracing()) return true;
  std::vector<TraceEvent> events = queues->take_events();
  napi_value dispatcher = EnvContext::of(env)->hook(env, JsHook::TraceDispatcher);
  if (events.empty() || dispatcher == nullptr) return true;
  napi_value list, global, ignored;
  napi_create_array_with_length(env, events.size(), &list);
  for (size_t i = 0; i < events.size(); ++i) {
    const TraceEvent& e = events[i];
    napi_value event, value;
    napi_create_object(env, &event);
    const std::pair<const char*, double> fields[] = {{"tableId", e.table_id}, {"fromIfindex", e.from_ifindex},
                                                     {"toIfindex", e.to_ifindex}, {"sent", e.sent},
                                                     {"drops", e.drops},          {"errors", e.errors}};
    for (const auto& [name, number] : fields) {
      napi_create_double(env, number, &value);
      napi_set_named_property(env, event, name, value);
    }
    napi_set_element(env, list, static_cast<uint32_t>(i), event);
  }
  napi_get_global(env, &global);
  return napi_call_function(env, global, dispatcher, 1, &list, &ignored) == napi_ok;
}

// The result of a datapath batch call, once this thread's trace events are delivered.
napi_value count_after_trace(napi_env env, size_t count) {
  if (!dispatch_trace(env)) return nullptr;
  napi_value result;
  napi_create_double(env, static_cast<double>(count), &result);
  return result;
}

// Checks the three parallel frame arrays of redirect (and the optional verdicts).
bool read_frames(napi_env env, napi_value* argv, bool with_keys, TypedArrayView* keys, TypedArrayView* ids,
                 TypedArrayView* lengths) {
  size_t at = 0;
  if (with_keys && !to_u32_array(env, argv[at++], "keys", keys)) return false;
  if (!to_u32_array(env, argv[at++], "ids", ids) || !to_u32_array(env, argv[at++], "lengths", lengths)) return false;
  size_t n = with_keys ? keys->length : ids->length;
  if (ids->length != n || lengths->length != n) {
    throw_invalid_value(env, std::string(with_keys ? "keys, ids and lengths" : "ids and lengths") +
                                 " must have the same length. Received " +
                                 (with_keys ? std::to_string(keys->length) + ", " : std::string()) +
                                 std::to_string(ids->length) + " and " + std::to_string(lengths->length));
    return false;
  }
  return true;
}

// redirect(keys, ids, lengths, verdicts?): frames accepted.
napi_value table_redirect(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  TableHandle* handle = open_handle(env, info, argv);
  TypedArrayView keys, ids, lengths, verdicts{nullptr, 0};
  if (handle == nullptr || !read_frames(env, argv, true, &keys, &ids, &lengths)) return nullptr;
  napi_valuetype type;
  napi_typeof(env, argv[3], &type);
  if (type != napi_undefined) {
    if (!to_i32_array(env, argv[3], "verdicts", &verdicts)) return nullptr;
    if (verdicts.length < keys.length) {
      return throw_range_error(env, "The \"verdicts\" argument must have at least keys.length (" +
                                        std::to_string(keys.length) + ") elements. Received " +
                                        std::to_string(verdicts.length));
    }
  }
  long accepted = handle->table->redirect(static_cast<const uint32_t*>(keys.data), static_cast<const uint32_t*>(ids.data),
                                          static_cast<const uint32_t*>(lengths.data),
                                          static_cast<int32_t*>(verdicts.data), keys.length);
  if (accepted < 0) return throw_redirect_error(env, static_cast<int>(accepted), "redirect: out of memory; nothing was sent");
  return count_after_trace(env, static_cast<size_t>(accepted));
}

// redirectOne(key, id, length): the verdict. The frame waits in this thread's bulk queue until
// flush(), a full queue, or the end of the current JS task (lib/ schedules flushThread()).
napi_value table_redirect_one(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  TableHandle* handle = open_handle(env, info, argv);
  uint32_t key, id, length;
  if (handle == nullptr || !to_u32(env, argv[0], "key", &key) || !to_u32(env, argv[1], "id", &id) ||
      !to_u32(env, argv[2], "length", &length)) {
    return nullptr;
  }
  bool opened = false;
  int verdict = handle->table->redirect_one(key, id, length, &opened);
  if (opened) {
    napi_value schedule = EnvContext::of(env)->hook(env, JsHook::ScheduleFlush);
    napi_value global, ignored;
    napi_get_global(env, &global);
    if (schedule == nullptr || napi_call_function(env, global, schedule, 0, nullptr, &ignored) != napi_ok) {
      BulkQueues::release_current_thread();  // no scheduler: never leave the section open
      if (schedule != nullptr) return nullptr;
    }
  }
  if (!dispatch_trace(env)) return nullptr;
  napi_value result;
  napi_create_int32(env, verdict, &result);
  return result;
}

// flush(): transmits every frame this thread has queued and ends its per-frame section.
napi_value table_flush(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (open_handle(env, info, argv) == nullptr) return nullptr;
  BulkQueues::release_current_thread();
  if (!dispatch_trace(env)) return nullptr;
  return undefined_value(env);
}

// broadcast(ids, lengths, excludeIfindex): copies accepted.
napi_value table_broadcast(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  TableHandle* handle = open_handle(env, info, argv);
  TypedArrayView ids, lengths;
  int exclude;
  if (handle == nullptr || !read_frames(env, argv, false, nullptr, &ids, &lengths) ||
      !to_ifindex(env, argv[2], &exclude)) {
    return nullptr;
  }
  long accepted = handle->table->broadcast(static_cast<const uint32_t*>(ids.data),
                                           static_cast<const uint32_t*>(lengths.data), ids.length, exclude);
  if (accepted < 0) return throw_redirect_error(env, static_cast<int>(accepted), "broadcast: out of memory; nothing was sent");
  return count_after_trace(env, static_cast<size_t>(accepted));
}

napi_value table_stats(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  TableHandle* handle = open_handle(env, info, argv);
  if (handle == nullptr) return nullptr;
  const auto& c = handle->table->counters();
  uint64_t bulks = c.sum(kBulks);
  const std::pair<const char*, double> fields[] = {
      {"redirected", static_cast<double>(c.sum(kRedirected))},
      {"misses", static_cast<double>(c.sum(kMisses))},
      {"down", static_cast<double>(c.sum(kDown))},
      {"tooBig", static_cast<double>(c.sum(kTooBig))},
      {"flushes", static_cast<double>(c.sum(kFlushes))},
      {"bulks", static_cast<double>(bulks)},
      {"bulkAverage", bulks == 0 ? 0.0 : static_cast<double>(c.sum(kBulkFrames)) / static_cast<double>(bulks)},
  };
  napi_value result, value;
  napi_create_object(env, &result);
  for (const auto& [name, number] : fields) {
    napi_create_double(env, number, &value);
    napi_set_named_property(env, result, name, value);
  }
  return result;
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
  napi_value result;
  napi_get_boolean(env, true, &result);
  return result;
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
  napi_value result;
  napi_create_double(env, static_cast<double>(fresh), &result);
  return result;
}

// snapshot(): { keys: Uint32Array, ifindexes: Int32Array, revisions: Float64Array, lastUsed: Float64Array }
napi_value table_snapshot(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  TableHandle* handle = open_handle(env, info, argv);
  if (handle == nullptr) return nullptr;
  TableSnapshot snap;
  if (int err = handle->table->snapshot(&snap)) return throw_redirect_error(env, err, "snapshot: out of memory");
  std::vector<double> revisions(snap.revisions.begin(), snap.revisions.end());
  std::vector<double> last_used(snap.last_used.begin(), snap.last_used.end());
  napi_value result;
  napi_create_object(env, &result);
  napi_set_named_property(env, result, "keys", typed_array_of(env, napi_uint32_array, snap.keys));
  napi_set_named_property(env, result, "ifindexes", typed_array_of(env, napi_int32_array, snap.ifindexes));
  napi_set_named_property(env, result, "revisions", typed_array_of(env, napi_float64_array, revisions));
  napi_set_named_property(env, result, "lastUsed", typed_array_of(env, napi_float64_array, last_used));
  return result;
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
  napi_valuetype type;
  napi_typeof(env, argv[2], &type);
  const bool with_last_used = type != napi_undefined;
  if (with_last_used && !to_typed_array(env, argv[2], "lastUsed", kFloat64, 1, "Float64Array", &last_used)) {
    return nullptr;
  }
  napi_typeof(env, argv[3], &type);
  const bool with_statuses = type != napi_undefined;
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
    int status = -EBUSY;
    if (whole(rev_data[i]) && (!with_last_used || whole(used_data[i]))) {
      uint64_t used = with_last_used ? static_cast<uint64_t>(used_data[i]) : 0;
      status = handle->table->compare_and_delete(key_data[i], static_cast<uint64_t>(rev_data[i]),
                                                 with_last_used ? &used : nullptr);
    }
    deleted += status == 0;
    if (with_statuses) status_data[i] = status;
  }
  napi_value result;
  napi_create_uint32(env, deleted, &result);
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
  Table* table = handle->table;
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
    {"redirect", table_redirect}, {"redirectOne", table_redirect_one},
    {"flush", table_flush},       {"broadcast", table_broadcast},
    {"stats", table_stats},       {"compareAndDelete", table_compare_and_delete},
    {"compareAndSet", table_compare_and_set}, {"snapshot", table_snapshot},
    {"compareAndDeleteBatch", table_compare_and_delete_batch},
};

// The JS face of a handle: { id, maxEntries, get, set, ... }.
napi_value make_handle_object(napi_env env, Table* table) {
  auto* handle = new TableHandle{table, table->id(), table->max_entries(), table->keyed_by_index()};
  napi_value object, value;
  napi_create_object(env, &object);
  napi_create_uint32(env, handle->id, &value);
  napi_set_named_property(env, object, "id", value);
  napi_create_uint32(env, handle->max_entries, &value);
  napi_set_named_property(env, object, "maxEntries", value);
  napi_create_string_utf8(env, handle->keyed_by_index ? "array" : "hash", NAPI_AUTO_LENGTH, &value);
  napi_set_named_property(env, object, "kind", value);
  table->ns()->retain();
  napi_set_named_property(env, object, "namespace", wrap_namespace(env, table->ns()));
  for (const FunctionSpec& spec : kHandleFunctions) {
    napi_value fn;
    napi_create_function(env, spec.name, NAPI_AUTO_LENGTH, spec.callback, handle, &fn);
    ++handle->live_functions;
    napi_add_finalizer(env, fn, handle, finalize_function, nullptr, nullptr);
    napi_set_named_property(env, object, spec.name, fn);
  }
  return object;
}

// createTable(maxEntries, namespace, kind: 'array' | 'hash')
napi_value create_table(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  std::string kind;
  if (!to_string(env, argv[2], "kind", &kind)) return nullptr;
  if (kind != "array" && kind != "hash") return throw_invalid_value(env, "The \"kind\" argument must be 'array' or 'hash'");
  double max_entries;
  if (!to_integer(env, argv[0], "maxEntries", 1, 4294967295.0, &max_entries)) return nullptr;
  Namespace* ns = unwrap_namespace(env, argv[1]);
  if (ns == nullptr) return nullptr;
  if (ns->state() != NamespaceState::Alive) {
    return throw_redirect_error(env, -ENOENT, "namespace " + ns->name() + " is " + namespace_state_name(ns->state()));
  }
  Table* table = nullptr;
  int err;
  if (kind == "array") {
    ArrayTable* array = nullptr;
    err = ArrayTable::create(static_cast<uint32_t>(max_entries), ns, &array);
    table = array;
  } else {
    HashTable* hash = nullptr;
    err = HashTable::create(static_cast<uint32_t>(max_entries), ns, &hash);
    table = hash;
  }
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
  return make_handle_object(env, table);
}

// flushThread(): the end-of-task flush lib/ schedules after a redirectOne opened the section.
napi_value flush_thread(napi_env env, napi_callback_info) {
  BulkQueues::release_current_thread();
  if (!dispatch_trace(env)) return nullptr;
  return undefined_value(env);
}

// coarseNow(): the clock entries' lastUsed is stamped with (coarse monotonic milliseconds).
napi_value coarse_now(napi_env env, napi_callback_info) {
  napi_value result;
  napi_create_double(env, static_cast<double>(coarse_now_ms()), &result);
  return result;
}

// setTracing(on): record a trace event for every bulk this thread transmits.
napi_value set_tracing(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  bool on;
  if (!to_bool(env, argv[0], "on", &on)) return nullptr;
  BulkQueues* queues = BulkQueues::current();
  if (queues == nullptr) return throw_redirect_error(env, -ENOMEM, "setTracing: out of memory");
  queues->set_tracing(on);
  if (!on) queues->take_events();
  return undefined_value(env);
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
      {"flushThread", nullptr, flush_thread, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"setTracing", nullptr, set_tracing, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"coarseNow", nullptr, coarse_now, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
  };
  napi_define_properties(env, exports, sizeof(properties) / sizeof(properties[0]), properties);
}

}  // namespace rt::napi
