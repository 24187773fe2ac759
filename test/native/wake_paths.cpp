// See wake_paths.hpp.
#include "wake_paths.hpp"

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include "device.hpp"
#include "sink.hpp"

using namespace rt;

namespace stress {

namespace {

Fail report = nullptr;

// A wait the duel's consumer sleeps on.
struct SleepingWaiter final : SinkWaiter {
  std::mutex mu;
  std::condition_variable cv;
  int notified = 0;
  void notify() noexcept override {
    std::lock_guard<std::mutex> lock(mu);
    if (++notified != 1) report("a waiter was notified twice", notified, 0);
    cv.notify_all();
  }
  // False when no notification came within the bound (a lost wake-up).
  bool sleep() {
    std::unique_lock<std::mutex> lock(mu);
    return cv.wait_for(lock, std::chrono::seconds(10), [this] { return notified != 0; });
  }
};

constexpr uint32_t kDuelSeqBits = 26;

}  // namespace

void wake_duel(const std::atomic<bool>& stop, Fail fail, WakeCounters& counters) {
  report = fail;
  Sink::Ring ring{};
  if (Sink::allocate_ring(64, &ring) != 0) return fail("wake duel: no ring", 0, 0);
  auto sink = std::make_unique<Sink>(ring);
  std::atomic<uint64_t> sent_accepted{0};
  std::vector<std::vector<bool>> seen(2, std::vector<bool>(1u << kDuelSeqBits));

  auto producer = [&](uint32_t who) {
    std::mt19937 rng(900 + who);
    uint32_t seq = 0;
    Frame frames[16];
    while (!stop.load(std::memory_order_relaxed) && seq < (1u << kDuelSeqBits) - 16) {
      uint32_t n = 1 + rng() % 16;
      uint32_t base = seq;
      for (uint32_t i = 0; i < n; ++i) frames[i] = Frame{(who << kDuelSeqBits) | seq++, 64};
      uint32_t dropped, failed;
      uint32_t accepted = sink->transmit(frames, n, &dropped, &failed);
      sent_accepted.fetch_add(accepted);
      seq = base + accepted;  // refused ids are sent again: every accepted id is unique
      if (rng() % 4 == 0) std::this_thread::yield();
    }
  };
  // The drainer receives everything; it sleeps on a published waiter (the final check looks at
  // it) and never cancels.
  std::mutex published_mu;
  std::shared_ptr<SleepingWaiter> published;
  auto drainer = [&](unsigned seed) {
    std::mt19937 rng(seed);
    uint32_t ids[32];
    for (;;) {
      uint32_t n;
      while ((n = sink->receive(ids, nullptr, 1 + rng() % 32)) != 0) {
        for (uint32_t i = 0; i < n; ++i) {
          uint32_t who = ids[i] >> kDuelSeqBits, seq = ids[i] & ((1u << kDuelSeqBits) - 1);
          if (who >= 2 || seen[who][seq]) fail("wake duel: frame received twice or unknown", ids[i], 0);
          else seen[who][seq] = true;
        }
        counters.duel_frames.fetch_add(n);
      }
      // Sometimes let the producers fill the ring before waiting: then only the re-check after
      // arming finds the frames (a full ring accepts nothing, so no transmit announces them).
      if (rng() % 8 == 0) std::this_thread::sleep_for(std::chrono::microseconds(200));
      auto waiter = std::make_shared<SleepingWaiter>();
      if (sink->wait(waiter.get()) == Sink::Wait::Ready) {
        counters.ready.fetch_add(1);
        if (sink->waiters_closed() && sink->queued() == 0) return;
        continue;
      }
      counters.waits.fetch_add(1);
      {
        std::lock_guard<std::mutex> lock(published_mu);
        published = waiter;
      }
      bool woken = waiter->sleep();
      {
        std::lock_guard<std::mutex> lock(published_mu);
        published.reset();
      }
      if (!woken) {
        fail("wake duel: a listed waiter was never notified (lost wake-up); frames waiting", sink->queued(), 0);
        if (!sink->cancel_wait(waiter.get())) waiter->sleep();
        return;
      }
      counters.notified.fetch_add(1);
    }
  };
  // The canceller only waits: it cancels at once or sleeps until notified, racing the notifiers.
  auto canceller = [&](unsigned seed) {
    std::mt19937 rng(seed);
    while (!sink->waiters_closed()) {
      auto waiter = std::make_unique<SleepingWaiter>();
      if (sink->wait(waiter.get()) == Sink::Wait::Ready) {
        counters.ready.fetch_add(1);
        std::this_thread::yield();
        continue;
      }
      counters.waits.fetch_add(1);
      if (rng() % 2 == 0 && sink->cancel_wait(waiter.get())) {
        counters.cancelled.fetch_add(1);
        continue;
      }
      if (!waiter->sleep()) return fail("wake duel: a listed waiter was never notified", 0, 0);
      counters.notified.fetch_add(1);
    }
  };

  std::vector<std::thread> threads;
  threads.emplace_back(producer, 0);
  threads.emplace_back(producer, 1);
  std::thread consumers[] = {std::thread(drainer, 910), std::thread(canceller, 911)};
  for (auto& t : threads) t.join();
  // No producer is left: the drainer must end up asleep on an empty ring. Asleep (listed, not
  // notified) with frames in the ring is a lost wake-up: nothing will ever announce them.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  for (;;) {
    std::shared_ptr<SleepingWaiter> waiter;
    {
      std::lock_guard<std::mutex> lock(published_mu);
      waiter = published;
    }
    if (waiter) {
      std::lock_guard<std::mutex> lock(waiter->mu);
      if (waiter->notified == 0) {
        if (sink->queued() != 0) fail("wake duel: the consumer sleeps through waiting frames (lost wake-up)", sink->queued(), 0);
        break;
      }
    }
    if (std::chrono::steady_clock::now() > deadline) {
      fail("wake duel: the consumer never went to sleep after the producers stopped", sink->queued(), 0);
      break;
    }
    std::this_thread::yield();
  }
  sink->close_waiters();  // no frame comes any more: sleeping consumers wake, drain and leave
  for (auto& t : consumers) t.join();
  if (sink->queued() != 0) fail("wake duel: frames left in the ring", sink->queued(), 0);
  SinkStats st = sink->stats();
  if (counters.duel_frames.load() != st.tx_frames || sent_accepted.load() != st.tx_frames) {
    fail("wake duel: received != accepted", static_cast<long>(counters.duel_frames.load()), static_cast<long>(st.tx_frames));
  }
  if (st.wakeups > st.bulks) fail("wake duel: more wake-ups than bulks", static_cast<long>(st.wakeups), static_cast<long>(st.bulks));
  if (st.wakeups == 0) fail("wake duel: no wake-up exercised", 0, 0);
  counters.duel_wakeups.fetch_add(st.wakeups);
}

namespace {

// A wait on a device, owned like the Node binding's ReadableWait: one reference for the sink
// side (dropped by notify() or a successful cancel), one for the thread that made it.
struct DeviceWait final : SinkWaiter {
  Device* dev;
  WakeCounters* counters;
  std::atomic<int> refs{2};
  std::atomic<int> notifications{0};
  DeviceWait(Device* d, WakeCounters* c) : dev(d), counters(c) {}
  void notify() noexcept override {
    if (notifications.fetch_add(1) != 0) report("a device wait was notified twice", 0, 0);
    counters->notified.fetch_add(1);
    unref();
  }
  void unref() {
    if (refs.fetch_sub(1) == 1) {
      dev->release();
      delete this;
    }
  }
};

}  // namespace

void device_waits(const std::atomic<bool>& stop, Fail fail, WakeCounters& counters,
                  const std::function<Device*()>& pick) {
  report = fail;
  std::mt19937 rng(920);
  std::vector<DeviceWait*> mine;  // the thread's references
  while (!stop.load(std::memory_order_relaxed)) {
    Device* dev = pick();  // with a lifetime reference, handed to the wait
    if (dev == nullptr) {
      std::this_thread::yield();
      continue;
    }
    auto* wait = new DeviceWait(dev, &counters);
    if (dev->sink().wait(wait) == Sink::Wait::Ready) {
      counters.ready.fetch_add(1);
      wait->refs.store(0);
      dev->release();
      delete wait;
      continue;
    }
    counters.waits.fetch_add(1);
    mine.push_back(wait);
    if (mine.size() > 16 || rng() % 8 == 0) {
      DeviceWait* old = mine[rng() % mine.size()];
      std::erase(mine, old);
      if (rng() % 2 == 0 && old->dev->sink().cancel_wait(old)) {
        counters.cancelled.fetch_add(1);
        old->unref();  // the sink side
      }
      old->unref();  // the thread's
    }
    if (rng() % 4 == 0) std::this_thread::yield();
  }
  // The rest are notified by transmits or by their device's release at teardown.
  for (DeviceWait* wait : mine) wait->unref();
}

void check_device_waits(Fail fail, const WakeCounters& counters) {
  if (counters.waits.load() != counters.notified.load() + counters.cancelled.load()) {
    fail("listed waits != notified + cancelled", static_cast<long>(counters.waits.load()),
         static_cast<long>(counters.notified.load() + counters.cancelled.load()));
  }
}

}  // namespace stress
