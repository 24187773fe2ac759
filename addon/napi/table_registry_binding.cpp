#include "table_registry_binding.hpp"

#include <cerrno>
#include <string>
#include <vector>

#include "args.hpp"
#include "array_table.hpp"
#include "entry.hpp"
#include "errors.hpp"
#include "hash_table.hpp"
#include "js.hpp"
#include "namespace.hpp"
#include "namespace_binding.hpp"
#include "table_handle.hpp"
#include "table_registry.hpp"

namespace rt::napi {

namespace {

// createTable(maxEntries, namespace, kind: 'array' | 'hash')
napi_value create_table(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  std::string kind;
  if (!read_args(env, info, 3, argv) || !to_string(env, argv[2], "kind", &kind)) return nullptr;
  if (kind != "array" && kind != "hash") return throw_invalid_value(env, "The \"kind\" argument must be 'array' or 'hash'");
  double max_entries;
  if (!to_integer(env, argv[0], "maxEntries", 1, 4294967295.0, &max_entries)) return nullptr;
  const auto entries = static_cast<uint32_t>(max_entries);
  Namespace* ns = unwrap_namespace(env, argv[1]);
  if (ns == nullptr) return nullptr;
  if (ns->state() != NamespaceState::Alive) {
    return throw_redirect_error(env, -ENOENT, "namespace " + ns->name() + " is " + namespace_state_name(ns->state()));
  }
  Table* table = nullptr;
  int err;
  if (kind == "array") {
    ArrayTable* array = nullptr;
    err = ArrayTable::create(entries, ns, &array);
    table = array;
  } else {
    HashTable* hash = nullptr;
    err = HashTable::create(entries, ns, &hash);
    table = hash;
  }
  if (err != 0) {
    return throw_redirect_error(env, err, "cannot allocate " + std::string(kind == "array" ? "an array" : "a hash") +
                                              " table of " + std::to_string(entries) + " entries");
  }
  return make_handle_object(env, table);
}

napi_value open_table(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  uint32_t id;
  if (!read_args(env, info, 1, argv) || !to_u32(env, argv[0], "id", &id)) return nullptr;
  Table* table = TableRegistry::instance().open(id);
  if (table == nullptr) return throw_redirect_error(env, -ENOENT, "no open table with id " + std::to_string(id));
  return make_handle_object(env, table);
}

// coarseNow(): the clock entries' lastUsed is stamped with (coarse monotonic milliseconds).
napi_value coarse_now(napi_env env, napi_callback_info) { return js_number(env, static_cast<double>(coarse_now_ms())); }

napi_value live_table_count(napi_env env, napi_callback_info) {
  return js_uint32(env, static_cast<uint32_t>(TableRegistry::instance().size()));
}

// listTables(): [{ id, kind, maxEntries, namespaceId }] of every live table, ascending id.
napi_value list_tables(napi_env env, napi_callback_info) {
  std::vector<TableInfo> tables;
  if (int err = TableRegistry::instance().list(&tables)) return throw_redirect_error(env, err, "cannot list the tables");
  JsArray result(env, tables.size());
  for (const TableInfo& t : tables) {
    result.push(JsObject(env)
                    .number("id", t.id)
                    .string("kind", t.keyed_by_index ? "array" : "hash")
                    .number("maxEntries", t.max_entries)
                    .number("namespaceId", t.namespace_id)
                    .done());
  }
  return result.done();
}

constexpr JsFunction kBindings[] = {
    {"createTable", create_table},
    {"openTable", open_table},
    {"liveTableCount", live_table_count},
    {"listTables", list_tables},
    {"coarseNow", coarse_now},
};

}  // namespace

bool init_table_registry_binding(napi_env env, napi_value exports) { return add_functions(env, exports, kBindings); }

}  // namespace rt::napi
