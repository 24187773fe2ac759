#include "device_binding.hpp"

#include <algorithm>
#include <cerrno>
#include <string>

#include "args.hpp"
#include "env_context.hpp"
#include "errors.hpp"
#include "namespace.hpp"
#include "namespace_binding.hpp"

namespace rt::napi {

namespace {

// Tags our externals so a foreign value is rejected instead of dereferenced.
constexpr napi_type_tag kDeviceTag = {0x7c1a4f0e2b9d4c61ull, 0x93e5d2a8b04f6c17ull};

void finalize_device(Napi::Env, Device* dev) { dev->release(); }

// Takes over the caller's lifetime reference.
Napi::Value wrap_device(Napi::Env env, Device* dev) {
  auto external = Napi::External<Device>::New(env, dev, finalize_device);
  napi_type_tag_object(env, external, &kDeviceTag);
  return external;
}

Device* unwrap_device(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  bool tagged = false;
  if (info.Length() < 1 || !info[0].IsExternal() ||
      napi_check_object_type_tag(env, info[0], &kDeviceTag, &tagged) != napi_ok || !tagged) {
    throw_type_error(env, "The \"device\" argument must be a device handle");
    return nullptr;
  }
  return info[0].As<Napi::External<Device>>().Data();
}

Napi::Value pending(Napi::Env env) { return Napi::Value(env, nullptr); }

Namespace* namespace_arg(const Napi::CallbackInfo& info, size_t index) {
  return unwrap_namespace(info.Env(), info[index]);
}

// Reads (mtu, up, ringSize, netnsLocal) starting at info[at].
bool read_config(const Napi::CallbackInfo& info, size_t at, DeviceConfig* config) {
  Napi::Env env = info.Env();
  double mtu, ring_size;
  if (!to_integer(env, info[at], "mtu", kMinMtu, kMaxMtu, &mtu) || !to_bool(env, info[at + 1], "up", &config->up) ||
      !to_integer(env, info[at + 2], "ringSize", 1, Sink::kMaxSize, &ring_size) ||
      !to_bool(env, info[at + 3], "netnsLocal", &config->netns_local)) {
    return false;
  }
  if (!Sink::valid_size(static_cast<uint64_t>(ring_size))) {
    throw_invalid_value(env, "The \"ringSize\" argument must be a power of two. Received " + format_number(ring_size));
    return false;
  }
  config->mtu = static_cast<uint32_t>(mtu);
  config->ring_size = static_cast<uint32_t>(ring_size);
  return true;
}

// Throws the RedirectError for a failed device creation.
void creation_error(Napi::Env env, int err, Namespace* ns, const std::string& name) {
  switch (-err) {
    case EINVAL:
      throw_redirect_error(env, err, "invalid device name \"" + name +
                                         "\" (1 to 15 bytes, not \".\" or \"..\", no '/', ':' or whitespace)");
      break;
    case EEXIST:
      throw_redirect_error(env, err, "a device named \"" + name + "\" exists in namespace " + ns->name());
      break;
    case ENOENT:
      throw_redirect_error(env, err, "namespace " + ns->name() + " is " + namespace_state_name(ns->state()));
      break;
    default:
      throw_redirect_error(env, err, "cannot create device \"" + name + "\"");
  }
}

// createDevice(namespace, name, mtu, up, ringSize, netnsLocal)
Napi::Value CreateDevice(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Namespace* ns = namespace_arg(info, 0);
  std::string name;
  DeviceConfig config;
  if (ns == nullptr || !to_string(env, info[1], "name", &name) || !read_config(info, 2, &config)) return pending(env);
  Device* dev = nullptr;
  int err = ns->create_device(name, config, &dev);
  if (err != 0) {
    creation_error(env, err, ns, name);
    return pending(env);
  }
  return wrap_device(env, dev);
}

// createVethPair(nsA, nameA, mtuA, upA, ringSizeA, netnsLocalA, nsB, nameB, mtuB, ...): [a, b]
Napi::Value CreateVethPair(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Namespace* ns_a = namespace_arg(info, 0);
  if (ns_a == nullptr) return pending(env);
  Namespace* ns_b = namespace_arg(info, 6);
  std::string name_a, name_b;
  DeviceConfig config_a, config_b;
  if (ns_b == nullptr || !to_string(env, info[1], "name", &name_a) || !read_config(info, 2, &config_a) ||
      !to_string(env, info[7], "name", &name_b) || !read_config(info, 8, &config_b)) {
    return pending(env);
  }
  Device *a = nullptr, *b = nullptr;
  int err = Namespace::create_veth_pair(ns_a, name_a, config_a, ns_b, name_b, config_b, &a, &b);
  if (err != 0) {
    static const char* const kWhy[] = {"", "invalid name", "a name is taken", "a namespace is being destroyed"};
    int why = err == -EINVAL ? 1 : err == -EEXIST ? 2 : err == -ENOENT ? 3 : 0;
    throw_redirect_error(env, err, "cannot create the veth pair " + name_a + " (namespace " + ns_a->name() + ") / " +
                                       name_b + " (namespace " + ns_b->name() + ")" +
                                       (why != 0 ? std::string(": ") + kWhy[why] : std::string()));
    return pending(env);
  }
  Napi::Array pair = Napi::Array::New(env, 2);
  pair.Set(0u, wrap_device(env, a));
  pair.Set(1u, wrap_device(env, b));
  return pair;
}

// createUpper(lower, kind, namespace, name, mtu, up, ringSize, netnsLocal)
Napi::Value CreateUpper(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Device* lower = unwrap_device(info);
  if (lower == nullptr) return pending(env);
  std::string kind_name, name;
  if (!to_string(env, info[1], "kind", &kind_name)) return pending(env);
  DeviceKind kind = kind_name == "ipvlan" ? DeviceKind::Ipvlan : DeviceKind::Macvlan;
  if (kind_name != "ipvlan" && kind_name != "macvlan") {
    throw_invalid_value(env, "The \"kind\" argument must be 'ipvlan' or 'macvlan'. Received '" + kind_name + "'");
    return pending(env);
  }
  Namespace* ns = namespace_arg(info, 2);
  DeviceConfig config;
  if (ns == nullptr || !to_string(env, info[3], "name", &name) || !read_config(info, 4, &config)) return pending(env);
  Device* upper = nullptr;
  int err = Namespace::create_upper(lower, kind, ns, name, config, &upper);
  if (err == -ENODEV) {
    throw_redirect_error(env, err, "cannot stack on device \"" + lower->name() + "\": it is " +
                                       device_state_name(lower->state()));
    return pending(env);
  }
  if (err != 0) {
    creation_error(env, err, ns, name);
    return pending(env);
  }
  return wrap_device(env, upper);
}

// createTunnel(namespace, name, backend, mtu, up, ringSize, netnsLocal)
Napi::Value CreateTunnel(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Namespace* ns = namespace_arg(info, 0);
  if (ns == nullptr) return pending(env);
  Namespace* backend = namespace_arg(info, 2);
  std::string name;
  DeviceConfig config;
  if (backend == nullptr || !to_string(env, info[1], "name", &name) || !read_config(info, 3, &config)) return pending(env);
  Device* tunnel = nullptr;
  int err = ns->create_tunnel(name, backend, config, &tunnel);
  if (err == -EINVAL && backend == ns) {
    throw_redirect_error(env, err, "a tunnel's backend must be another namespace");
    return pending(env);
  }
  if (err == -ENOENT && backend->state() != NamespaceState::Alive) {
    throw_redirect_error(env, err, "backend namespace " + backend->name() + " is " + namespace_state_name(backend->state()));
    return pending(env);
  }
  if (err != 0) {
    creation_error(env, err, ns, name);
    return pending(env);
  }
  return wrap_device(env, tunnel);
}

// deviceKind(device): 'plain' | 'veth' | 'ipvlan' | 'macvlan' | 'tunnel'
Napi::Value DeviceKindOf(const Napi::CallbackInfo& info) {
  Device* dev = unwrap_device(info);
  if (dev == nullptr) return pending(info.Env());
  return Napi::String::New(info.Env(), device_kind_name(dev->kind()));
}

// devicePeer / deviceLower: a device handle or undefined; deviceBackend: a namespace handle or undefined.
Napi::Value DevicePeer(const Napi::CallbackInfo& info) {
  Device* dev = unwrap_device(info);
  if (dev == nullptr) return pending(info.Env());
  Device* peer = dev->retain_peer();
  return peer == nullptr ? info.Env().Undefined() : wrap_device(info.Env(), peer);
}

Napi::Value DeviceLower(const Napi::CallbackInfo& info) {
  Device* dev = unwrap_device(info);
  if (dev == nullptr) return pending(info.Env());
  Device* lower = dev->retain_lower();
  return lower == nullptr ? info.Env().Undefined() : wrap_device(info.Env(), lower);
}

Napi::Value DeviceBackend(const Napi::CallbackInfo& info) {
  Device* dev = unwrap_device(info);
  if (dev == nullptr) return pending(info.Env());
  if (dev->backend() == nullptr) return info.Env().Undefined();
  dev->backend()->retain();
  return Napi::Value(info.Env(), wrap_namespace(info.Env(), dev->backend()));
}

// findDevice(namespace, ifindex | name): a handle or undefined.
Napi::Value FindDevice(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Namespace* ns = namespace_arg(info, 0);
  if (ns == nullptr) return pending(env);
  Device* dev = nullptr;
  if (info[1].IsString()) {
    dev = ns->find_device(info[1].As<Napi::String>().Utf8Value());
  } else if (info[1].IsNumber()) {
    int ifindex;
    if (!to_ifindex(env, info[1], &ifindex)) return pending(env);
    dev = ns->find_device(ifindex);
  } else {
    throw_type_error(env, "The \"device\" argument must be an ifindex (number) or a name (string)");
    return pending(env);
  }
  if (dev == nullptr) return env.Undefined();
  return wrap_device(env, dev);
}

Napi::Value ListDevices(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Namespace* ns = namespace_arg(info, 0);
  if (ns == nullptr) return pending(env);
  std::vector<Device*> devices;
  if (int err = ns->devices(&devices)) {
    throw_redirect_error(env, err, "devices: out of memory");
    return pending(env);
  }
  Napi::Array result = Napi::Array::New(env, devices.size());
  for (size_t i = 0; i < devices.size(); ++i) result.Set(static_cast<uint32_t>(i), wrap_device(env, devices[i]));
  return result;
}

// deviceInfo(device): a snapshot of the device's fields.
Napi::Value DeviceInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Device* dev = unwrap_device(info);
  if (dev == nullptr) return pending(env);
  Napi::Object result = Napi::Object::New(env);
  result.Set("serial", Napi::Number::New(env, static_cast<double>(dev->serial())));
  result.Set("ifindex", Napi::Number::New(env, dev->ifindex()));
  result.Set("name", Napi::String::New(env, dev->name()));
  result.Set("mtu", Napi::Number::New(env, dev->mtu()));
  result.Set("up", Napi::Boolean::New(env, dev->is_up()));
  result.Set("state", Napi::String::New(env, device_state_name(dev->state())));
  result.Set("usage", Napi::Number::New(env, static_cast<double>(dev->usage_count())));
  return result;
}

// deviceNamespace(device): a handle of the device's namespace (it holds one while it lives).
Napi::Value DeviceNamespace(const Napi::CallbackInfo& info) {
  Device* dev = unwrap_device(info);
  if (dev == nullptr) return pending(info.Env());
  dev->ns()->retain();
  return Napi::Value(info.Env(), wrap_namespace(info.Env(), dev->ns()));
}

Napi::Value DeviceSerial(const Napi::CallbackInfo& info) {
  Device* dev = unwrap_device(info);
  if (dev == nullptr) return pending(info.Env());
  return Napi::Number::New(info.Env(), static_cast<double>(dev->serial()));
}

// One getter per field: no field-name string to convert on every read.
template <typename Read>
Napi::Value read_device(const Napi::CallbackInfo& info, Read read) {
  Device* dev = unwrap_device(info);
  if (dev == nullptr) return pending(info.Env());
  return read(info.Env(), dev);
}

Napi::Value DeviceIfindex(const Napi::CallbackInfo& info) {
  return read_device(info, [](Napi::Env env, Device* d) { return Napi::Number::New(env, d->ifindex()); });
}
Napi::Value DeviceName(const Napi::CallbackInfo& info) {
  return read_device(info, [](Napi::Env env, Device* d) { return Napi::String::New(env, d->name()); });
}
Napi::Value DeviceMtu(const Napi::CallbackInfo& info) {
  return read_device(info, [](Napi::Env env, Device* d) { return Napi::Number::New(env, d->mtu()); });
}
Napi::Value DeviceIsUp(const Napi::CallbackInfo& info) {
  return read_device(info, [](Napi::Env env, Device* d) { return Napi::Boolean::New(env, d->is_up()); });
}
Napi::Value DeviceState(const Napi::CallbackInfo& info) {
  return read_device(info, [](Napi::Env env, Device* d) { return Napi::String::New(env, device_state_name(d->state())); });
}
Napi::Value DeviceUsage(const Napi::CallbackInfo& info) {
  return read_device(
      info, [](Napi::Env env, Device* d) { return Napi::Number::New(env, static_cast<double>(d->usage_count())); });
}

Napi::Value unregistered_error(Napi::Env env, Device* dev, const char* what) {
  throw_redirect_error(env, -ENODEV, std::string("cannot ") + what + " device \"" + dev->name() + "\": it is " +
                                         device_state_name(dev->state()));
  return pending(env);
}

Napi::Value DeviceSetUp(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Device* dev = unwrap_device(info);
  bool up;
  if (dev == nullptr || !to_bool(env, info[1], "up", &up)) return pending(env);
  if (dev->set_up(up) != 0) return unregistered_error(env, dev, up ? "bring up" : "bring down");
  return env.Undefined();
}

Napi::Value DeviceSetMtu(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Device* dev = unwrap_device(info);
  double mtu;
  if (dev == nullptr || !to_integer(env, info[1], "mtu", kMinMtu, kMaxMtu, &mtu)) return pending(env);
  if (dev->set_mtu(static_cast<uint32_t>(mtu)) != 0) return unregistered_error(env, dev, "change the MTU of");
  return env.Undefined();
}

// deviceUnregister(device): a Promise resolved once the device's usage is back to base and it
// has been released (after grace periods). Calling it again is harmless.
Napi::Value DeviceUnregister(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Device* dev = unwrap_device(info);
  if (dev == nullptr) return pending(env);
  Ticket* ticket = nullptr;
  napi_value promise = EnvContext::of(env)->completer().make_promise(env, &ticket);
  if (promise == nullptr) return pending(env);
  dev->ns()->unregister_device(dev, [ticket] { ticket->settle(0); });
  return Napi::Value(env, promise);
}

// deviceMoveTo(device, namespace, name | undefined)
Napi::Value DeviceMoveTo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Device* dev = unwrap_device(info);
  if (dev == nullptr) return pending(env);
  Namespace* target = unwrap_namespace(env, info[1]);
  if (target == nullptr) return pending(env);
  std::string name;
  bool renamed = !info[2].IsUndefined();
  if (renamed && !to_string(env, info[2], "name", &name)) return pending(env);
  std::string old_name = dev->name();
  int err = Namespace::move_device(dev, target, renamed ? &name : nullptr);
  if (err == 0) return env.Undefined();
  std::string what = "cannot move device \"" + old_name + "\" to namespace " + target->name();
  switch (-err) {
    case EINVAL:
      throw_redirect_error(env, err, what + (dev->netns_local() ? ": it is netns-local" : ": invalid name"));
      break;
    case EEXIST:
      throw_redirect_error(env, err, what + ": the name \"" + (renamed ? name : old_name) + "\" is taken there");
      break;
    case ENODEV:
      throw_redirect_error(env, err, what + ": it is " + device_state_name(dev->state()) + " or its namespace is being destroyed");
      break;
    case ENOENT:
      throw_redirect_error(env, err, what + ": the namespace is " + namespace_state_name(target->state()));
      break;
    default:
      throw_redirect_error(env, err, what);
  }
  return pending(env);
}

// deviceReceive(device, ids, lengths?): frames copied out of the ring, oldest first.
Napi::Value DeviceReceive(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Device* dev = unwrap_device(info);
  TypedArrayView ids, lengths{nullptr, 0};
  if (dev == nullptr || !to_u32_array(env, info[1], "ids", &ids)) return pending(env);
  bool with_lengths = info.Length() > 2 && !info[2].IsUndefined();
  if (with_lengths && !to_u32_array(env, info[2], "lengths", &lengths)) return pending(env);
  size_t max = with_lengths ? std::min(ids.length, lengths.length) : ids.length;
  uint32_t n = dev->sink().receive(static_cast<uint32_t*>(ids.data), static_cast<uint32_t*>(lengths.data),
                                   static_cast<uint32_t>(std::min<size_t>(max, UINT32_MAX)));
  return Napi::Number::New(env, n);
}

Napi::Value DeviceStats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Device* dev = unwrap_device(info);
  if (dev == nullptr) return pending(env);
  SinkStats stats = dev->sink().stats();
  Napi::Object result = Napi::Object::New(env);
  result.Set("txFrames", Napi::Number::New(env, static_cast<double>(stats.tx_frames)));
  result.Set("txBytes", Napi::Number::New(env, static_cast<double>(stats.tx_bytes)));
  result.Set("drops", Napi::Number::New(env, static_cast<double>(stats.drops)));
  result.Set("errors", Napi::Number::New(env, static_cast<double>(stats.errors)));
  result.Set("bulks", Napi::Number::New(env, static_cast<double>(stats.bulks)));
  result.Set("queued", Napi::Number::New(env, dev->sink().queued()));
  result.Set("ringSize", Napi::Number::New(env, dev->sink().size()));
  return result;
}

// deviceSetTransmitFault(device, error: boolean, acceptAtMost: number | undefined)
Napi::Value DeviceSetTransmitFault(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Device* dev = unwrap_device(info);
  TransmitFault fault;
  if (dev == nullptr || !to_bool(env, info[1], "error", &fault.error)) return pending(env);
  if (!info[2].IsUndefined() && !to_u32(env, info[2], "acceptAtMost", &fault.accept_at_most)) return pending(env);
  dev->sink().set_fault(fault);
  return env.Undefined();
}

}  // namespace

void init_device_binding(Napi::Env env, Napi::Object exports) {
  exports.Set("createDevice", Napi::Function::New(env, CreateDevice, "createDevice"));
  exports.Set("findDevice", Napi::Function::New(env, FindDevice, "findDevice"));
  exports.Set("listDevices", Napi::Function::New(env, ListDevices, "listDevices"));
  exports.Set("deviceInfo", Napi::Function::New(env, DeviceInfo, "deviceInfo"));
  exports.Set("deviceNamespace", Napi::Function::New(env, DeviceNamespace, "deviceNamespace"));
  exports.Set("deviceSerial", Napi::Function::New(env, DeviceSerial, "deviceSerial"));
  exports.Set("deviceIfindex", Napi::Function::New(env, DeviceIfindex, "deviceIfindex"));
  exports.Set("deviceName", Napi::Function::New(env, DeviceName, "deviceName"));
  exports.Set("deviceMtu", Napi::Function::New(env, DeviceMtu, "deviceMtu"));
  exports.Set("deviceIsUp", Napi::Function::New(env, DeviceIsUp, "deviceIsUp"));
  exports.Set("deviceState", Napi::Function::New(env, DeviceState, "deviceState"));
  exports.Set("deviceUsage", Napi::Function::New(env, DeviceUsage, "deviceUsage"));
  exports.Set("deviceSetUp", Napi::Function::New(env, DeviceSetUp, "deviceSetUp"));
  exports.Set("deviceSetMtu", Napi::Function::New(env, DeviceSetMtu, "deviceSetMtu"));
  exports.Set("createVethPair", Napi::Function::New(env, CreateVethPair, "createVethPair"));
  exports.Set("createUpper", Napi::Function::New(env, CreateUpper, "createUpper"));
  exports.Set("createTunnel", Napi::Function::New(env, CreateTunnel, "createTunnel"));
  exports.Set("devicePeer", Napi::Function::New(env, DevicePeer, "devicePeer"));
  exports.Set("deviceLower", Napi::Function::New(env, DeviceLower, "deviceLower"));
  exports.Set("deviceBackend", Napi::Function::New(env, DeviceBackend, "deviceBackend"));
  exports.Set("deviceKind", Napi::Function::New(env, DeviceKindOf, "deviceKind"));
  exports.Set("deviceMoveTo", Napi::Function::New(env, DeviceMoveTo, "deviceMoveTo"));
  exports.Set("deviceReceive", Napi::Function::New(env, DeviceReceive, "deviceReceive"));
  exports.Set("deviceStats", Napi::Function::New(env, DeviceStats, "deviceStats"));
  exports.Set("deviceSetTransmitFault", Napi::Function::New(env, DeviceSetTransmitFault, "deviceSetTransmitFault"));
  exports.Set("deviceUnregister", Napi::Function::New(env, DeviceUnregister, "deviceUnregister"));
}

}  // namespace rt::napi
