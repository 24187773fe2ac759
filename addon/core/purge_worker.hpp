// Unregistration and move purges, off the calling thread (docs/design.md, "Reclamation and
// unregistration"): the JS thread that unregisters or moves a device only marks and unlists it;
// a thread of ours walks the tables.
//
// The worker takes every device queued since its last pass and walks each live table once for
// all of them, removing each entry whose device is no longer current (unregistering, or moved
// since the entry was resolved, see Entry::device_still_current). So destroying a namespace of
// N devices costs a few walks, not N. After the walk it runs each device's continuation (which
// drops the registration's base usage reference): the device completes once the purged
// entries' grace period has passed. The publisher re-check rule is unchanged: a set racing the
// unregistration either is seen by the walk (which starts after the device was marked) or
// takes its entry back itself. A device that no entry references (only its base usage reference
// is held, read after the mark) costs no walk at all.
#pragma once

#include <functional>

namespace rt {

class Device;

namespace purge_worker {

// Queues the purge of `dev`, already marked unregistering (the caller keeps it alive until
// `then` ran); `then` runs on the worker after a walk that started after this call, or with no
// walk when the device was referenced by nothing at that point (Device::referenced). If the
// worker cannot take the job (its thread cannot start, or no memory to queue it), the same
// runs here, before this returns.
void schedule(Device* dev, std::function<void()> then);


}  // namespace purge_worker
}  // namespace rt
