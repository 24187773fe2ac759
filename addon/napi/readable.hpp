// dev.readable(): a Promise settled when frames wait in a device's ring or the device is
// released (docs/design.md, Consumer wake-ups).
//
// Each pending call is a ReadableWait: a SinkWaiter listed on the device's sink (holding a
// lifetime reference of the device) and on its environment's ReadableWaits, and settled through
// the environment's Completer. The environment's cleanup hook detaches every wait it still has,
// so a torn-down worker leaves nothing listed on any sink.
#pragma once

#include <node_api.h>

#include <memory>
#include <mutex>

#include "device.hpp"

namespace rt::napi {

class ReadableWait;

// The pending readable() calls of one environment.
class ReadableWaits {
 public:
  // False once the environment is being torn down.
  bool add(ReadableWait* wait);
  // True when `wait` was listed (now removed).
  bool remove(ReadableWait* wait);
  // The environment is going away: refuses new waits and takes every pending one off its sink.
  void detach_all();

 private:
  std::mutex mu_;  // a leaf: nothing else is locked under it
  ReadableWait* head_ = nullptr;
  bool closed_ = false;
};

// undefined when frames are waiting or the device is released (lib/ answers a resolved
// Promise without allocating anything), else a pending Promise; nullptr with an exception.
napi_value readable_promise(napi_env env, Device* dev);

}  // namespace rt::napi
