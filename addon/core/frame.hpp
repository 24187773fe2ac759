// A frame descriptor (the kernel's xdp_frame, reduced to what a redirect needs): an id the
// caller chooses and a length. The payload stays wherever the caller keeps it.
#pragma once

#include <cstdint>

namespace rt {

struct Frame {
  uint32_t id;
  uint32_t length;
};

}  // namespace rt
