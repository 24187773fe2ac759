// Bindings of devices' control plane: creation of every kind, lookups and lists, reads of a
// device's fields, setUp/setMtu, unregister and moveTo. The device's ring (receive, waits, the
// transmit fault) is device_ring_binding.cpp; handles are device_handle.hpp.
#include "device_binding.hpp"

#include <cerrno>
#include <new>
#include <optional>
#include <string>
#include <vector>

#include "args.hpp"
#include "device_kinds.hpp"
#include "env_context.hpp"
#include "errors.hpp"
#include "js.hpp"
#include "namespace.hpp"
#include "device_handle.hpp"
#include "namespace_binding.hpp"

namespace rt::napi {

namespace {

// Reads (mtu, up, ringSize, netnsLocal) starting at argv[0].
bool read_config(napi_env env, const napi_value* argv, DeviceConfig* config) {
  double mtu, ring_size;
  if (!to_integer(env, argv[0], "mtu", kMinMtu, kMaxMtu, &mtu) || !to_bool(env, argv[1], "up", &config->up) ||
      !to_integer(env, argv[2], "ringSize", 1, Sink::kMaxSize, &ring_size) ||
      !to_bool(env, argv[3], "netnsLocal", &config->netns_local)) {
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
napi_value creation_error(napi_env env, int err, Namespace* ns, const std::string& name) {
  switch (-err) {
    case EINVAL:
      return throw_redirect_error(env, err, "invalid device name \"" + name +
                                                "\" (1 to 15 bytes, not \".\" or \"..\", no '/', ':' or whitespace)");
    case EEXIST:
      return throw_redirect_error(env, err, "a device named \"" + name + "\" exists in namespace " + ns->name());
    case ENOENT:
      return throw_redirect_error(env, err, "namespace " + ns->name() + " is " + namespace_state_name(ns->state()));
    case ENOMEM:
      return throw_redirect_error(env, err, "cannot allocate device \"" + name + "\" (its ring included)");
    default:
      return throw_redirect_error(env, err, "cannot create device \"" + name + "\"");
  }
}

// createDevice(namespace, name, mtu, up, ringSize, netnsLocal)
napi_value create_device(napi_env env, napi_callback_info info) {
  napi_value argv[6];
  if (!read_args(env, info, 6, argv)) return nullptr;
  Namespace* ns = unwrap_namespace(env, argv[0]);
  std::string name;
  DeviceConfig config;
  if (ns == nullptr || !to_string(env, argv[1], "name", &name) || !read_config(env, argv + 2, &config)) return nullptr;
  Device* dev = nullptr;
  if (int err = ns->create_device(name, config, &dev)) return creation_error(env, err, ns, name);
  return wrap_device(env, dev);
}

// createVethPair(nsA, nameA, mtuA, upA, ringSizeA, netnsLocalA, nsB, nameB, mtuB, ...): [a, b]
napi_value create_veth_pair(napi_env env, napi_callback_info info) {
  napi_value argv[12];
  if (!read_args(env, info, 12, argv)) return nullptr;
  Namespace* ns_a = unwrap_namespace(env, argv[0]);
  if (ns_a == nullptr) return nullptr;
  Namespace* ns_b = unwrap_namespace(env, argv[6]);
  std::string name_a, name_b;
  DeviceConfig config_a, config_b;
  if (ns_b == nullptr || !to_string(env, argv[1], "name", &name_a) || !read_config(env, argv + 2, &config_a) ||
      !to_string(env, argv[7], "name", &name_b) || !read_config(env, argv + 8, &config_b)) {
    return nullptr;
  }
  Device *a = nullptr, *b = nullptr;
  if (int err = Namespace::create_veth_pair(ns_a, name_a, config_a, ns_b, name_b, config_b, &a, &b)) {
    const char* why = err == -EINVAL   ? ": invalid name"
                      : err == -EEXIST ? ": a name is taken"
                      : err == -ENOENT ? ": a namespace is being destroyed"
                      : err == -ENOMEM ? ": out of memory"
                                       : "";
    return throw_redirect_error(env, err, "cannot create the veth pair " + name_a + " (namespace " + ns_a->name() +
                                              ") / " + name_b + " (namespace " + ns_b->name() + ")" + why);
  }
  napi_value end_a = wrap_device(env, a), end_b = wrap_device(env, b);  // each releases its own on failure
  return JsArray(env, 2).push(end_a).push(end_b).done();
}

// createUpper(lower, kind, namespace, name, mtu, up, ringSize, netnsLocal)
napi_value create_upper(napi_env env, napi_callback_info info) {
  napi_value argv[8];
  Device* lower = device_args(env, info, argv);
  std::string kind_name, name;
  if (lower == nullptr || !to_string(env, argv[1], "kind", &kind_name)) return nullptr;
  std::optional<DeviceKind> parsed = device_kind_from_name(kind_name);
  if (!parsed || !is_upper_kind(*parsed)) {
    std::string choices;  // "'ipvlan' or 'macvlan'": the upper kinds of the core's table
    for (const DeviceKindInfo& info : kDeviceKinds) {
      if (info.upper) choices += (choices.empty() ? "'" : " or '") + std::string(info.name) + "'";
    }
    return throw_invalid_value(env, "The \"kind\" argument must be " + choices + ". Received '" + kind_name + "'");
  }
  DeviceKind kind = *parsed;
  Namespace* ns = unwrap_namespace(env, argv[2]);
  DeviceConfig config;
  if (ns == nullptr || !to_string(env, argv[3], "name", &name) || !read_config(env, argv + 4, &config)) return nullptr;
  Device* upper = nullptr;
  int err = Namespace::create_upper(lower, kind, ns, name, config, &upper);
  if (err == -ENODEV) {
    return throw_redirect_error(env, err, "cannot stack on device \"" + lower->name() + "\": it is " +
                                              device_state_name(lower->state()));
  }
  if (err != 0) return creation_error(env, err, ns, name);
  return wrap_device(env, upper);
}

// createTunnel(namespace, name, backend, mtu, up, ringSize, netnsLocal)
napi_value create_tunnel(napi_env env, napi_callback_info info) {
  napi_value argv[7];
  if (!read_args(env, info, 7, argv)) return nullptr;
  Namespace* ns = unwrap_namespace(env, argv[0]);
  if (ns == nullptr) return nullptr;
  Namespace* backend = unwrap_namespace(env, argv[2]);
  std::string name;
  DeviceConfig config;
  if (backend == nullptr || !to_string(env, argv[1], "name", &name) || !read_config(env, argv + 3, &config)) return nullptr;
  Device* tunnel = nullptr;
  int err = ns->create_tunnel(name, backend, config, &tunnel);
  if (err == -EINVAL && backend == ns) return throw_redirect_error(env, err, "a tunnel's backend must be another namespace");
  if (err == -ENOENT && backend->state() != NamespaceState::Alive) {
    return throw_redirect_error(env, err, "backend namespace " + backend->name() + " is " +
                                              namespace_state_name(backend->state()));
  }
  if (err != 0) return creation_error(env, err, ns, name);
  return wrap_device(env, tunnel);
}

// One-argument reads of a device: deviceKind, devicePeer, deviceIfindex, ...
template <napi_value (*Read)(napi_env, Device*)>
napi_value read_device(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  Device* dev = device_args(env, info, argv);
  return dev == nullptr ? nullptr : Read(env, dev);
}

napi_value kind_of(napi_env env, Device* d) { return js_string(env, device_kind_name(d->kind())); }
napi_value peer_of(napi_env env, Device* d) {
  Device* peer = d->retain_peer();
  return peer == nullptr ? js_undefined(env) : wrap_device(env, peer);
}
napi_value lower_of(napi_env env, Device* d) {
  Device* lower = d->retain_lower();
  return lower == nullptr ? js_undefined(env) : wrap_device(env, lower);
}
napi_value backend_of(napi_env env, Device* d) {
  if (d->backend() == nullptr) return js_undefined(env);
  d->backend()->retain();
  return wrap_namespace(env, d->backend());
}
// A handle of the device's namespace (the device holds one while it lives).
napi_value namespace_of(napi_env env, Device* d) {
  // Not d->ns()->retain(): a move may drop the namespace's last reference in between.
  return wrap_namespace(env, Namespace::retain_namespace_of(d));
}
napi_value serial_of(napi_env env, Device* d) { return js_number(env, static_cast<double>(d->serial())); }
napi_value ifindex_of(napi_env env, Device* d) { return js_number(env, d->ifindex()); }
napi_value name_of(napi_env env, Device* d) { return js_string(env, d->name()); }
napi_value mtu_of(napi_env env, Device* d) { return js_number(env, d->mtu()); }
napi_value is_up(napi_env env, Device* d) { return js_bool(env, d->is_up()); }
napi_value state_of(napi_env env, Device* d) { return js_string(env, device_state_name(d->state())); }
napi_value usage_of(napi_env env, Device* d) { return js_number(env, static_cast<double>(d->usage_count())); }

// deviceInfo(device): a snapshot of the device's fields.
napi_value info_of(napi_env env, Device* d) {
  return JsObject(env)
      .number("serial", static_cast<double>(d->serial()))
      .number("ifindex", d->ifindex())
      .string("name", d->name())
      .number("mtu", d->mtu())
      .boolean("up", d->is_up())
      .string("state", device_state_name(d->state()))
      .number("usage", static_cast<double>(d->usage_count()))
      .done();
}

napi_value stats_of(napi_env env, Device* d) {
  SinkStats stats = d->sink().stats();
  return JsObject(env)
      .number("txFrames", static_cast<double>(stats.tx_frames))
      .number("txBytes", static_cast<double>(stats.tx_bytes))
      .number("drops", static_cast<double>(stats.drops))
      .number("errors", static_cast<double>(stats.errors))
      .number("bulks", static_cast<double>(stats.bulks))
      .number("wakeups", static_cast<double>(stats.wakeups))
      .number("queued", d->sink().queued())
      .number("ringSize", d->sink().size())
      .number("lanes", d->sink().lanes())
      .number("waiters", d->sink().waiting())
      .done();
}

// findDevice(namespace, ifindex | name): a handle or undefined.
napi_value find_device(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  napi_valuetype type;
  if (!read_args(env, info, 2, argv)) return nullptr;
  Namespace* ns = unwrap_namespace(env, argv[0]);
  if (ns == nullptr || napi_typeof(env, argv[1], &type) != napi_ok) return nullptr;
  Device* dev = nullptr;
  if (type == napi_string) {
    std::string name;
    if (!to_string(env, argv[1], "name", &name)) return nullptr;
    dev = ns->find_device(name);
  } else if (type == napi_number) {
    int ifindex;
    if (!to_ifindex(env, argv[1], &ifindex)) return nullptr;
    dev = ns->find_device(ifindex);
  } else {
    return throw_type_error(env, "The \"device\" argument must be an ifindex (number) or a name (string)");
  }
  return dev == nullptr ? js_undefined(env) : wrap_device(env, dev);
}

napi_value list_devices(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (!read_args(env, info, 1, argv)) return nullptr;
  Namespace* ns = unwrap_namespace(env, argv[0]);
  if (ns == nullptr) return nullptr;
  std::vector<Device*> devices;
  if (int err = ns->devices(&devices)) {
    return throw_redirect_error(env, err, "cannot list the devices of namespace " + ns->name());
  }
  JsArray result(env, devices.size());
  for (Device* dev : devices) result.push(wrap_device(env, dev));  // each reference goes to a handle or is released
  return result.done();
}

napi_value unregistered_error(napi_env env, Device* dev, const char* what) {
  return throw_redirect_error(env, -ENODEV, std::string("cannot ") + what + " device \"" + dev->name() + "\": it is " +
                                                device_state_name(dev->state()));
}

napi_value device_set_up(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  Device* dev = device_args(env, info, argv);
  bool up;
  if (dev == nullptr || !to_bool(env, argv[1], "up", &up)) return nullptr;
  if (dev->set_up(up) != 0) return unregistered_error(env, dev, up ? "bring up" : "bring down");
  return js_undefined(env);
}

napi_value device_set_mtu(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  Device* dev = device_args(env, info, argv);
  double mtu;
  if (dev == nullptr || !to_integer(env, argv[1], "mtu", kMinMtu, kMaxMtu, &mtu)) return nullptr;
  if (dev->set_mtu(static_cast<uint32_t>(mtu)) != 0) return unregistered_error(env, dev, "change the MTU of");
  return js_undefined(env);
}

// deviceUnregister(device): a Promise resolved once the device's usage is back to base and it
// has been released (after grace periods). Calling it again is harmless.
napi_value device_unregister(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  Device* dev = device_args(env, info, argv);
  if (dev == nullptr) return nullptr;
  Ticket* ticket = nullptr;
  napi_value promise = EnvContext::new_promise(env, &ticket);
  if (promise == nullptr) return nullptr;
  Namespace::unregister_device(dev, [ticket] { ticket->settle(0); });
  return promise;
}

// deviceMoveTo(device, namespace, name | undefined): a Promise resolved once the entries resolved
// before the move are purged from every table (errors are thrown at once).
napi_value device_move_to(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  Device* dev = device_args(env, info, argv);
  if (dev == nullptr) return nullptr;
  Namespace* target = unwrap_namespace(env, argv[1]);
  napi_valuetype type;
  if (target == nullptr || napi_typeof(env, argv[2], &type) != napi_ok) return nullptr;
  std::string name;
  const bool renamed = type != napi_undefined;
  if (renamed && !to_string(env, argv[2], "name", &name)) return nullptr;
  std::string old_name = dev->name();
  Ticket* ticket = nullptr;
  napi_value promise = EnvContext::new_promise(env, &ticket);
  if (promise == nullptr) return nullptr;
  int err = Namespace::move_device(dev, target, renamed ? &name : nullptr, [ticket] { ticket->settle(0); });
  if (err == 0) return promise;
  ticket->settle(0);  // a Promise nobody receives: the error is thrown instead
  std::string what = "cannot move device \"" + old_name + "\" to namespace " + target->name();
  switch (-err) {
    case EINVAL:
      return throw_redirect_error(env, err, what + (dev->netns_local() ? ": it is netns-local" : ": invalid name"));
    case EEXIST:
      return throw_redirect_error(env, err, what + ": the name \"" + (renamed ? name : old_name) + "\" is taken there");
    case ENODEV:
      return throw_redirect_error(env, err, what + ": it is " + device_state_name(dev->state()) +
                                                " or its namespace is being destroyed");
    case ENOENT:
      return throw_redirect_error(env, err, what + ": the namespace is " + namespace_state_name(target->state()));
    default:
      return throw_redirect_error(env, err, what);
  }
}

constexpr JsFunction kBindings[] = {
    {"createDevice", create_device},
    {"findDevice", find_device},
    {"listDevices", list_devices},
    {"deviceInfo", read_device<info_of>},
    {"deviceNamespace", read_device<namespace_of>},
    {"deviceSerial", read_device<serial_of>},
    {"deviceIfindex", read_device<ifindex_of>},
    {"deviceName", read_device<name_of>},
    {"deviceMtu", read_device<mtu_of>},
    {"deviceIsUp", read_device<is_up>},
    {"deviceState", read_device<state_of>},
    {"deviceUsage", read_device<usage_of>},
    {"deviceSetUp", device_set_up},
    {"deviceSetMtu", device_set_mtu},
    {"createVethPair", create_veth_pair},
    {"createUpper", create_upper},
    {"createTunnel", create_tunnel},
    {"devicePeer", read_device<peer_of>},
    {"deviceLower", read_device<lower_of>},
    {"deviceBackend", read_device<backend_of>},
    {"deviceKind", read_device<kind_of>},
    {"deviceMoveTo", device_move_to},
    {"deviceStats", read_device<stats_of>},
    {"deviceUnregister", device_unregister},
};

}  // namespace

bool init_device_binding(napi_env env, napi_value exports) { return add_functions(env, exports, kBindings); }

}  // namespace rt::napi
