#include "namespace_binding.hpp"

#include <cerrno>
#include <new>
#include <string>

#include "args.hpp"
#include "env_context.hpp"
#include "errors.hpp"
#include "js.hpp"
#include "tagged_handle.hpp"

namespace rt::napi {

namespace {

// Tags our externals so a foreign value is rejected instead of dereferenced.
constexpr napi_type_tag kNamespaceTag = {0x3b8f5e21c7a94d02ull, 0xa61d4e9f2c7b8035ull};

// createNamespace(name)
napi_value create_namespace(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  std::string name;
  if (!read_args(env, info, 1, argv) || !to_string(env, argv[0], "name", &name)) return nullptr;
  Namespace* ns = nullptr;
  int err = Namespace::create(name, &ns);
  if (err == -EEXIST) return throw_redirect_error(env, err, "a namespace named \"" + name + "\" exists");
  if (err == -EINVAL) return throw_redirect_error(env, err, "invalid namespace name \"" + name + "\" (1 to 64 bytes, no '/')");
  if (err != 0) return throw_redirect_error(env, err, "cannot create namespace \"" + name + "\"");
  return wrap_namespace(env, ns);
}

// openNamespace(id | name)
napi_value open_namespace(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  napi_valuetype type;
  if (!read_args(env, info, 1, argv) || napi_typeof(env, argv[0], &type) != napi_ok) return nullptr;
  Namespace* ns = nullptr;
  std::string what;
  if (type == napi_string) {
    std::string name;
    if (!to_string(env, argv[0], "idOrName", &name)) return nullptr;
    what = "named \"" + name + "\"";
    ns = Namespace::open(name);
  } else if (type == napi_number) {
    uint32_t id;
    if (!to_u32(env, argv[0], "id", &id)) return nullptr;
    what = "with id " + std::to_string(id);
    ns = Namespace::open(id);
  } else {
    return throw_type_error(env, "The \"idOrName\" argument must be a number or a string");
  }
  if (ns == nullptr) return throw_redirect_error(env, -ENOENT, "no namespace " + what);
  return wrap_namespace(env, ns);
}

napi_value list_namespaces(napi_env env, napi_callback_info) {
  std::vector<Namespace*> all;
  if (int err = Namespace::list(&all)) return throw_redirect_error(env, err, "cannot list the namespaces");
  JsArray result(env, all.size());
  // Every reference is handed to a handle (or released by wrap_namespace when none can be made).
  for (Namespace* ns : all) result.push(wrap_namespace(env, ns));
  return result.done();
}

napi_value namespace_info(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (!read_args(env, info, 1, argv)) return nullptr;
  Namespace* ns = unwrap_namespace(env, argv[0]);
  if (ns == nullptr) return nullptr;
  return JsObject(env)
      .number("id", ns->id())
      .string("name", ns->name())
      .string("state", namespace_state_name(ns->state()))
      .done();
}

// destroyNamespace(ns): a Promise resolved once every device of the namespace is released.
napi_value destroy_namespace(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (!read_args(env, info, 1, argv)) return nullptr;
  Namespace* ns = unwrap_namespace(env, argv[0]);
  if (ns == nullptr) return nullptr;
  if (ns->id() == Namespace::kRootId) return throw_redirect_error(env, -EINVAL, "the root namespace cannot be destroyed");
  Ticket* ticket = nullptr;
  napi_value promise = EnvContext::new_promise(env, &ticket);
  if (promise == nullptr) return nullptr;
  ns->destroy([ticket] { ticket->settle(0); });
  return promise;
}

constexpr JsFunction kBindings[] = {
    {"createNamespace", create_namespace},
    {"openNamespace", open_namespace},
    {"listNamespaces", list_namespaces},
    {"namespaceInfo", namespace_info},
    {"destroyNamespace", destroy_namespace},
};

}  // namespace

napi_value wrap_namespace(napi_env env, Namespace* ns) { return wrap_tagged(env, ns, kNamespaceTag); }

Namespace* unwrap_namespace(napi_env env, napi_value value) {
  return unwrap_tagged<Namespace>(env, value, kNamespaceTag, "The \"namespace\" argument must be a namespace handle");
}

bool init_namespace_binding(napi_env env, napi_value exports) { return add_functions(env, exports, kBindings); }

}  // namespace rt::napi
