// A frame's verdict: 0 (delivered into the device's ring), or the negative errno saying why not,
// as the kernel's devmap answers. The one list of verdicts: the datapath returns these, and the
// addon exports kAll to lib/ (Verdict), so a new verdict is added here, and its literal type in
// lib/types.ts (DECLARED_VERDICTS; loading fails when the two disagree).
#pragma once

#include <cerrno>
#include <utility>

namespace rt::verdict {

inline constexpr int kOk = 0;
inline constexpr int kNoEntry = -ENOENT;   // no entry in the slot (or the key is out of range)
inline constexpr int kTxError = -EIO;      // failed at transmit by an error fault
inline constexpr int kDown = -ENETDOWN;    // the device is down
inline constexpr int kTooBig = -EMSGSIZE;  // longer than the device's MTU
inline constexpr int kNoBufs = -ENOBUFS;   // refused at transmit: ring full, or beyond acceptAtMost

// Every verdict under its errno name (lib/verdict.ts: Verdict).
inline constexpr std::pair<const char*, int> kAll[] = {
    {"OK", kOk},           {"ENOENT", kNoEntry},   {"EIO", kTxError},
    {"ENETDOWN", kDown},   {"EMSGSIZE", kTooBig},  {"ENOBUFS", kNoBufs},
};

}  // namespace rt::verdict
