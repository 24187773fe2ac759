// Device kinds (docs/design.md, "The model": plain, veth end, upper, tunnel): the one table of
// their names, which are the JS `kind` strings both ways (parsing createUpper's argument,
// showing Device.kind), and which kinds are uppers.
//
// Where each kind is made and unmade: device_kinds.cpp (Namespace::create_veth_pair,
// create_upper, create_tunnel, forget_tunnel; declared in namespace.hpp, plain devices are
// Namespace::create_device). What a kind's unregistration takes down with it (the veth peer,
// the uppers) is Device::take_dependents, what it lets go of (the lower's usage, the backend's
// tunnel list) Device::finish_unregistration, both in device.cpp.
//
// A new kind: a DeviceKind value and a row here; an upper kind needs nothing else in the core
// (create_upper and the binding take it from the table), another kind its creation in
// device_kinds.cpp.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace rt {

// plain; veth (one end of a pair); ipvlan/macvlan (an upper stacked on a lower device);
// tunnel (its backend lives in another namespace).
enum class DeviceKind : uint8_t { Plain, Veth, Ipvlan, Macvlan, Tunnel };

struct DeviceKindInfo {
  DeviceKind kind;
  const char* name;
  bool upper;  // stacked on a lower device: made by Namespace::create_upper
};

// Every kind once; the only place the native code spells a kind as a string (lib/types.ts
// spells them for TypeScript, as DeviceKind).
inline constexpr DeviceKindInfo kDeviceKinds[] = {
    {DeviceKind::Plain, "plain", false},
    {DeviceKind::Veth, "veth", false},
    {DeviceKind::Ipvlan, "ipvlan", true},
    {DeviceKind::Macvlan, "macvlan", true},
    {DeviceKind::Tunnel, "tunnel", false},
};

// "unknown" for a value outside the table.
constexpr const char* device_kind_name(DeviceKind kind) {
  for (const DeviceKindInfo& info : kDeviceKinds) {
    if (info.kind == kind) return info.name;
  }
  return "unknown";
}

// The kind named `name` exactly (case matters), or nothing.
constexpr std::optional<DeviceKind> device_kind_from_name(std::string_view name) {
  for (const DeviceKindInfo& info : kDeviceKinds) {
    if (name == info.name) return info.kind;
  }
  return std::nullopt;
}

constexpr bool is_upper_kind(DeviceKind kind) {
  for (const DeviceKindInfo& info : kDeviceKinds) {
    if (info.kind == kind) return info.upper;
  }
  return false;
}

}  // namespace rt
