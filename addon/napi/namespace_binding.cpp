#include "namespace_binding.hpp"

#include <cerrno>
#include <string>

#include "args.hpp"
#include "env_context.hpp"
#include "errors.hpp"

namespace rt::napi {

namespace {

constexpr napi_type_tag kNamespaceTag = {0x3b8f5e21c7a94d02ull, 0xa61d4e9f2c7b8035ull};

void finalize_namespace(napi_env, void* data, void*) { static_cast<Namespace*>(data)->release(); }

Napi::Value pending(Napi::Env env) { return Napi::Value(env, nullptr); }

// createNamespace(name)
Napi::Value CreateNamespace(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string name;
  if (!to_string(env, info[0], "name", &name)) return pending(env);
  Namespace* ns = nullptr;
  int err = Namespace::create(name, &ns);
  if (err == -EEXIST) throw_redirect_error(env, err, "a namespace named \"" + name + "\" exists");
  if (err == -EINVAL) throw_redirect_error(env, err, "invalid namespace name \"" + name + "\" (1 to 64 bytes, no '/')");
  if (err == -ENOMEM) throw_redirect_error(env, err, "cannot create namespace \"" + name + "\"");
  if (err != 0) return pending(env);
  return Napi::Value(env, wrap_namespace(env, ns));
}

// openNamespace(id | name)
Napi::Value OpenNamespace(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Namespace* ns = nullptr;
  std::string what;
  if (info[0].IsString()) {
    what = "named \"" + info[0].As<Napi::String>().Utf8Value() + "\"";
    ns = Namespace::open(info[0].As<Napi::String>().Utf8Value());
  } else if (info[0].IsNumber()) {
    uint32_t id;
    if (!to_u32(env, info[0], "id", &id)) return pending(env);
    what = "with id " + std::to_string(id);
    ns = Namespace::open(id);
  } else {
    throw_type_error(env, "The \"idOrName\" argument must be a number or a string");
    return pending(env);
  }
  if (ns == nullptr) {
    throw_redirect_error(env, -ENOENT, "no namespace " + what);
    return pending(env);
  }
  return Napi::Value(env, wrap_namespace(env, ns));
}

Napi::Value ListNamespaces(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::vector<Namespace*> all;
  if (int err = Namespace::list(&all)) {
    throw_redirect_error(env, err, "list: out of memory");
    return pending(env);
  }
  Napi::Array result = Napi::Array::New(env, all.size());
  for (size_t i = 0; i < all.size(); ++i) result.Set(static_cast<uint32_t>(i), Napi::Value(env, wrap_namespace(env, all[i])));
  return result;
}

Napi::Value NamespaceInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Namespace* ns = unwrap_namespace(env, info[0]);
  if (ns == nullptr) return pending(env);
  Napi::Object result = Napi::Object::New(env);
  result.Set("id", Napi::Number::New(env, ns->id()));
  result.Set("name", Napi::String::New(env, ns->name()));
  result.Set("state", Napi::String::New(env, namespace_state_name(ns->state())));
  return result;
}

// destroyNamespace(ns): a Promise resolved once every device of the namespace is released.
Napi::Value DestroyNamespace(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Namespace* ns = unwrap_namespace(env, info[0]);
  if (ns == nullptr) return pending(env);
  if (ns->id() == Namespace::kRootId) {
    throw_redirect_error(env, -EINVAL, "the root namespace cannot be destroyed");
    return pending(env);
  }
  Ticket* ticket = nullptr;
  napi_value promise = EnvContext::of(env)->completer().make_promise(env, &ticket);
  if (promise == nullptr) return pending(env);
  ns->destroy([ticket] { ticket->settle(0); });
  return Napi::Value(env, promise);
}

}  // namespace

napi_value wrap_namespace(napi_env env, Namespace* ns) {
  napi_value external;
  napi_create_external(env, ns, finalize_namespace, nullptr, &external);
  napi_type_tag_object(env, external, &kNamespaceTag);
  return external;
}

Namespace* unwrap_namespace(napi_env env, napi_value value) {
  bool tagged = false;
  void* data = nullptr;
  napi_valuetype type;
  if (napi_typeof(env, value, &type) != napi_ok || type != napi_external ||
      napi_check_object_type_tag(env, value, &kNamespaceTag, &tagged) != napi_ok || !tagged ||
      napi_get_value_external(env, value, &data) != napi_ok) {
    throw_type_error(env, "The \"namespace\" argument must be a namespace handle");
    return nullptr;
  }
  return static_cast<Namespace*>(data);
}

void init_namespace_binding(Napi::Env env, Napi::Object exports) {
  exports.Set("createNamespace", Napi::Function::New(env, CreateNamespace, "createNamespace"));
  exports.Set("openNamespace", Napi::Function::New(env, OpenNamespace, "openNamespace"));
  exports.Set("listNamespaces", Napi::Function::New(env, ListNamespaces, "listNamespaces"));
  exports.Set("namespaceInfo", Napi::Function::New(env, NamespaceInfo, "namespaceInfo"));
  exports.Set("destroyNamespace", Napi::Function::New(env, DestroyNamespace, "destroyNamespace"));
}

}  // namespace rt::napi
