// The bench-only "peers" addon: N-API bindings of the locked tables (locked_table.hpp) and of a
// plain native lookup loop, which the benchmark compares the lock-free table against.
// Plain C N-API, no exceptions. Every function is synchronous; the tables are process-global,
// so the main thread and every worker see the same ones.
#include <node_api.h>

#include <cmath>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <initializer_list>
#include <utility>

#include "locked_table.hpp"
#include "locked_table_ids.hpp"

namespace {

using peers::FrameBatch;
using peers::LockedTable;
using peers::Status;

// ---- errors (cold paths) --------------------------------------------------------------------

enum class ErrorKind { kError, kType, kRange };

__attribute__((format(printf, 3, 4))) void throw_error(napi_env env, ErrorKind kind, const char* format, ...) {
  char message[256];
  va_list args;
  va_start(args, format);
  std::vsnprintf(message, sizeof(message), format, args);
  va_end(args);
  switch (kind) {
    case ErrorKind::kError:
      napi_throw_error(env, nullptr, message);
      break;
    case ErrorKind::kType:
      napi_throw_type_error(env, nullptr, message);
      break;
    case ErrorKind::kRange:
      napi_throw_range_error(env, nullptr, message);
      break;
  }
}

// Throws for anything but Status::kOk; `key` only matters for kKeyOutOfRange.
bool check(napi_env env, Status status, uint32_t id, const LockedTable* table, uint32_t key = 0) {
  switch (status) {
    case Status::kOk:
      return true;
    case Status::kClosed:
      throw_error(env, ErrorKind::kError, "Locked table %u is destroyed", id);
      return false;
    case Status::kKeyOutOfRange:
      throw_error(env, ErrorKind::kRange, "The \"key\" argument must be < maxEntries (%u). Received %u",
                  table->max_entries(), key);
      return false;
    case Status::kDevicesExhausted:
      throw_error(env, ErrorKind::kRange, "Locked table %u already has %u devices", id, peers::kMaxDevices);
      return false;
  }
  return false;
}

// ---- arguments --------------------------------------------------------------------------------

// Fills argv (missing arguments read as undefined). False only if N-API itself failed.
template <size_t N>
bool get_args(napi_env env, napi_callback_info info, napi_value (&argv)[N]) {
  size_t argc = N;
  return napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) == napi_ok;
}

bool to_u32(napi_env env, napi_value value, const char* what, uint32_t* out) {
  if (napi_get_value_uint32(env, value, out) == napi_ok) return true;
  throw_error(env, ErrorKind::kType, "The \"%s\" argument must be of type number", what);
  return false;
}

// The table of id `value`; nullptr (with an exception pending) for a bad id.
LockedTable* to_table(napi_env env, napi_value value, uint32_t* id) {
  if (!to_u32(env, value, "id", id)) return nullptr;
  LockedTable* table = peers::g_tables.find(*id);
  if (table == nullptr) throw_error(env, ErrorKind::kError, "No locked table with id %u", *id);
  return table;
}

// A call `(id, n1, n2, ...)`: reads the arguments, the table of `id` and the u32 arguments named
// in `numbers` (argv[1], argv[2], ...). nullptr with an exception pending on a bad argument.
template <size_t N>
LockedTable* table_call(napi_env env, napi_callback_info info, napi_value (&argv)[N], uint32_t* id,
                        std::initializer_list<std::pair<const char*, uint32_t*>> numbers) {
  if (!get_args(env, info, argv)) return nullptr;
  LockedTable* table = to_table(env, argv[0], id);
  if (table == nullptr) return nullptr;
  size_t i = 1;
  for (const auto& [name, out] : numbers) {
    if (!to_u32(env, argv[i++], name, out)) return nullptr;
  }
  return table;
}

template <class T>
bool to_array(napi_env env, napi_value value, napi_typedarray_type expected, const char* what,
              const char* type_name, T** data, size_t* length) {
  napi_typedarray_type type;
  void* raw = nullptr;
  if (napi_get_typedarray_info(env, value, &type, length, &raw, nullptr, nullptr) != napi_ok ||
      type != expected) {
    throw_error(env, ErrorKind::kType, "The \"%s\" argument must be an instance of %s", what, type_name);
    return false;
  }
  *data = static_cast<T*>(raw);
  return true;
}

bool to_u32_array(napi_env env, napi_value value, const char* what, const uint32_t** data, size_t* length) {
  return to_array(env, value, napi_uint32_array, what, "Uint32Array", data, length);
}

// ---- results ------------------------------------------------------------------------------------

napi_value make_u32(napi_env env, uint32_t value) {
  napi_value result = nullptr;
  napi_create_uint32(env, value, &result);
  return result;
}

napi_value make_number(napi_env env, uint64_t value) {
  napi_value result = nullptr;
  napi_create_double(env, static_cast<double>(value), &result);
  return result;
}

napi_value make_bool(napi_env env, bool value) {
  napi_value result = nullptr;
  napi_get_boolean(env, value, &result);
  return result;
}

// ---- table lifecycle ------------------------------------------------------------------------

// createLockedTable(kind: 'shared_mutex' | 'mutex', maxEntries: number): number
napi_value CreateLockedTable(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  if (!get_args(env, info, argv)) return nullptr;
  char kind_name[16];
  size_t kind_length = 0;
  if (napi_get_value_string_utf8(env, argv[0], kind_name, sizeof(kind_name), &kind_length) != napi_ok) {
    throw_error(env, ErrorKind::kType, "The \"kind\" argument must be of type string");
    return nullptr;
  }
  peers::LockKind kind;
  if (std::strcmp(kind_name, "shared_mutex") == 0) {
    kind = peers::LockKind::kSharedMutex;
  } else if (std::strcmp(kind_name, "mutex") == 0) {
    kind = peers::LockKind::kMutex;
  } else {
    throw_error(env, ErrorKind::kType, "The \"kind\" argument must be 'shared_mutex' or 'mutex'. Received '%s'",
                kind_name);
    return nullptr;
  }
  double max_entries = 0;
  if (napi_get_value_double(env, argv[1], &max_entries) != napi_ok) {
    throw_error(env, ErrorKind::kType, "The \"maxEntries\" argument must be of type number");
    return nullptr;
  }
  if (!(max_entries >= 1 && max_entries <= UINT32_MAX && std::floor(max_entries) == max_entries)) {
    throw_error(env, ErrorKind::kRange,
                "The \"maxEntries\" argument must be an integer >= 1 and <= %u. Received %.17g", UINT32_MAX,
                max_entries);
    return nullptr;
  }
  const auto entries = static_cast<uint32_t>(max_entries);
  LockedTable* table = peers::make_locked_table(kind, entries);
  if (table == nullptr) {
    throw_error(env, ErrorKind::kError, "Cannot allocate a locked table of %u entries", entries);
    return nullptr;
  }
  const uint32_t id = peers::g_tables.add(table);
  if (id == 0) {
    delete table;  // never published: no other thread can reach it
    throw_error(env, ErrorKind::kRange, "Too many locked tables (at most %u per process)",
                peers::LockedTableIds::kMaxTables);
    return nullptr;
  }
  return make_u32(env, id);
}

// destroyLockedTable(id: number): void
napi_value DestroyLockedTable(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  uint32_t id;
  LockedTable* table = table_call(env, info, argv, &id, {});
  if (table != nullptr) check(env, table->destroy(), id, table);
  return nullptr;
}

// ---- devices ------------------------------------------------------------------------------------

// lockedCreateDevice(id: number): number
napi_value LockedCreateDevice(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  uint32_t id;
  uint32_t device = 0;
  LockedTable* table = table_call(env, info, argv, &id, {});
  if (table == nullptr || !check(env, table->create_device(&device), id, table)) return nullptr;
  return make_u32(env, device);
}

// lockedUnregister(id: number, device: number): void
napi_value LockedUnregister(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  uint32_t id, device;
  LockedTable* table = table_call(env, info, argv, &id, {{"device", &device}});
  if (table != nullptr) check(env, table->unregister_device(device), id, table);
  return nullptr;
}

// ---- writers --------------------------------------------------------------------------------------

// lockedSet(id: number, key: number, device: number): boolean
napi_value LockedSet(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  uint32_t id, key, device;
  bool stored = false;
  LockedTable* table = table_call(env, info, argv, &id, {{"key", &key}, {"device", &device}});
  if (table == nullptr || !check(env, table->set(key, device, &stored), id, table, key)) return nullptr;
  return make_bool(env, stored);
}

// lockedDelete(id: number, key: number): boolean
napi_value LockedDelete(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  uint32_t id, key;
  bool removed = false;
  LockedTable* table = table_call(env, info, argv, &id, {{"key", &key}});
  if (table == nullptr || !check(env, table->remove(key, &removed), id, table, key)) return nullptr;
  return make_bool(env, removed);
}

// lockedCompareAndDelete(id: number, key: number, expectedDevice: number): boolean
napi_value LockedCompareAndDelete(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  uint32_t id, key, expected;
  bool removed = false;
  LockedTable* table = table_call(env, info, argv, &id, {{"key", &key}, {"expectedDevice", &expected}});
  if (table == nullptr || !check(env, table->compare_and_remove(key, expected, &removed), id, table, key)) {
    return nullptr;
  }
  return make_bool(env, removed);
}

// ---- readers (hot paths) ------------------------------------------------------------------------

// lockedGet(id: number, key: number): number (0 = empty)
napi_value LockedGet(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  uint32_t id, key;
  uint32_t device = 0;
  LockedTable* table = table_call(env, info, argv, &id, {{"key", &key}});
  if (table == nullptr || !check(env, table->get(key, &device), id, table, key)) return nullptr;
  return make_u32(env, device);
}

// lockedRedirect(id: number, keys: Uint32Array, ids: Uint32Array, lengths: Uint32Array): number
napi_value LockedRedirect(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  uint32_t id;
  LockedTable* table = table_call(env, info, argv, &id, {});
  if (table == nullptr) return nullptr;
  FrameBatch batch{};
  size_t ids_length = 0;
  size_t lengths_length = 0;
  if (!to_u32_array(env, argv[1], "keys", &batch.keys, &batch.count) ||
      !to_u32_array(env, argv[2], "ids", &batch.ids, &ids_length) ||
      !to_u32_array(env, argv[3], "lengths", &batch.lengths, &lengths_length)) {
    return nullptr;
  }
  if (ids_length != batch.count || lengths_length != batch.count) {
    throw_error(env, ErrorKind::kRange,
                "keys, ids and lengths must have one length. Received %zu, %zu and %zu", batch.count, ids_length,
                lengths_length);
    return nullptr;
  }
  uint64_t accepted = 0;
  if (!check(env, table->redirect(batch, &accepted), id, table)) return nullptr;
  return make_number(env, accepted);
}

// lockedReceive(id: number, device: number, ids: Uint32Array): number — drains the device's ring
napi_value LockedReceive(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  uint32_t id, device;
  LockedTable* table = table_call(env, info, argv, &id, {{"device", &device}});
  if (table == nullptr) return nullptr;
  const uint32_t* ids = nullptr;
  size_t capacity = 0;
  if (!to_u32_array(env, argv[2], "ids", &ids, &capacity)) return nullptr;
  uint32_t got = 0;
  const auto max = static_cast<uint32_t>(capacity < UINT32_MAX ? capacity : UINT32_MAX);
  if (!check(env, table->receive(device, const_cast<uint32_t*>(ids), max, &got), id, table)) return nullptr;
  return make_u32(env, got);
}

// lockedStats(id: number): { frames, bytes, framesToDeadDevices, liveDevices }
napi_value LockedStats(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  uint32_t id;
  LockedTable* table = table_call(env, info, argv, &id, {});
  if (table == nullptr) return nullptr;
  peers::TableStats stats;
  if (!check(env, table->stats(&stats), id, table)) return nullptr;
  napi_value result = nullptr;
  if (napi_create_object(env, &result) != napi_ok) return nullptr;
  napi_set_named_property(env, result, "frames", make_number(env, stats.frames));
  napi_set_named_property(env, result, "bytes", make_number(env, stats.bytes));
  napi_set_named_property(env, result, "drops", make_number(env, stats.drops));
  napi_set_named_property(env, result, "framesToDeadDevices", make_number(env, stats.frames_to_dead_devices));
  napi_set_named_property(env, result, "liveDevices", make_u32(env, stats.live_devices));
  return result;
}

// ---- baselines ------------------------------------------------------------------------------------

// plainLookupBatch(slots: Uint32Array, keys: Uint32Array, out: Int32Array): number
// The floor of a batched lookup through N-API: no lock, no atomics. Returns the hits.
napi_value PlainLookupBatch(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  if (!get_args(env, info, argv)) return nullptr;
  const uint32_t* slots = nullptr;
  const uint32_t* keys = nullptr;
  int32_t* out = nullptr;
  size_t slot_count = 0;
  size_t key_count = 0;
  size_t out_length = 0;
  if (!to_u32_array(env, argv[0], "slots", &slots, &slot_count) ||
      !to_u32_array(env, argv[1], "keys", &keys, &key_count) ||
      !to_array(env, argv[2], napi_int32_array, "out", "Int32Array", &out, &out_length)) {
    return nullptr;
  }
  if (out_length < key_count) {
    throw_error(env, ErrorKind::kRange, "The \"out\" argument must be at least keys.length (%zu) long. Received %zu",
                key_count, out_length);
    return nullptr;
  }
  uint32_t hits = 0;
  for (size_t i = 0; i < key_count; ++i) {
    const uint32_t key = keys[i];
    const uint32_t device = key < slot_count ? slots[key] : 0;
    out[i] = static_cast<int32_t>(device);
    hits += device != 0;
  }
  return make_u32(env, hits);
}

// noop(): undefined — the floor of a native call.
napi_value Noop(napi_env, napi_callback_info) { return nullptr; }

}  // namespace

NAPI_MODULE_INIT() {
  const napi_property_descriptor properties[] = {
      {"createLockedTable", nullptr, CreateLockedTable, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"destroyLockedTable", nullptr, DestroyLockedTable, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"lockedCreateDevice", nullptr, LockedCreateDevice, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"lockedUnregister", nullptr, LockedUnregister, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"lockedSet", nullptr, LockedSet, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"lockedDelete", nullptr, LockedDelete, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"lockedCompareAndDelete", nullptr, LockedCompareAndDelete, nullptr, nullptr, nullptr, napi_enumerable,
       nullptr},
      {"lockedGet", nullptr, LockedGet, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"lockedRedirect", nullptr, LockedRedirect, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"lockedReceive", nullptr, LockedReceive, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"lockedStats", nullptr, LockedStats, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"plainLookupBatch", nullptr, PlainLookupBatch, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"noop", nullptr, Noop, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
  };
  if (napi_define_properties(env, exports, sizeof(properties) / sizeof(properties[0]), properties) != napi_ok) {
    return nullptr;
  }
  return exports;
}
