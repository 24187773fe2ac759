// Stress test of the core without Node, built with AddressSanitizer and UBSan (see Makefile).
//
// Reader threads look up random keys and check every entry they see; a writer sets, deletes and
// batch-updates keys; an unregister thread creates and unregisters devices and waits for each
// unregistration to finish; a table thread opens and closes handles and whole tables.
// Redirector threads push frames through the datapath (batched redirect, and the per-frame
// section) into device sinks that a consumer thread drains, also through the churned tables.
// Checks:
//  - frame conservation: frames handed to sinks (batch verdicts 0, -ENOBUFS or -EIO, and single
//    frames queued) = sum over every device of tx + drops + errors; a batch returns exactly its
//    0 verdicts; delivered <= sum of tx; every received id was sent once; every device received
//    exactly its txFrames;
//  - no frame reaches a device after its unregistration completed (txFrames frozen);
//  - an entry's ifindex was created, obeys the key's residue rule, and matches its device;
//  - no reader sees a device whose unregistration finished before the read started;
//  - every unregistration and every table close completes (no leaked usage reference);
//  - consumers waiting for frames (wake_paths.cpp) are woken exactly once, never lose a
//    wake-up, and every wait on a device ends (notified, cancelled, or closed by its release);
//  - at exit everything is freed (LeakSanitizer).
#include <atomic>
#include <barrier>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "array_table.hpp"
#include "hash_table.hpp"
#include "memory_usage.hpp"
#include "bulk_queues.hpp"
#include "namespace.hpp"
#include "rcu.hpp"
#include "completion.hpp"
#include "robust_paths.hpp"
#include "wake_paths.hpp"
#include "table_registry.hpp"

using namespace rt;
using stress::Completion;
using Clock = std::chrono::steady_clock;

namespace {

constexpr uint32_t kKeys = 64;
constexpr uint32_t kResidues = 8;  // key k only ever points at devices with ifindex % 8 == k % 8
constexpr int kMaxIfindex = 1 << 20;

std::atomic<bool> stop{false};
std::atomic<uint64_t> violations{0};
std::atomic<uint64_t> lookups{0}, updates{0}, unregisters{0}, table_cycles{0}, duels{0};
std::atomic<uint64_t> frames_accepted{0}, frames_delivered{0}, frames_received{0}, namespace_cycles{0}, move_duels{0}, kind_storms{0};
std::atomic<uint64_t> collector_deletes{0};
std::atomic<uint32_t> churn_table_id{0};  // a table the churn thread is about to close

// Every device ever created (lifetime references), for the final conservation sums, and the
// txFrames each had when its unregistration completed.
struct DeviceRecord {
  Device* device;
  uint64_t received = 0;
  int64_t tx_at_completion = -1;
};
std::mutex all_mu;
std::vector<DeviceRecord> all_devices;

constexpr unsigned kMaxRedirectors = 8;
constexpr uint32_t kSeqBits = 22;  // frame id = redirector << 22 | seq

std::vector<std::atomic<uint8_t>> created(kMaxIfindex);
std::vector<std::atomic<uint64_t>> death_seq(kMaxIfindex);  // 0 while live
std::atomic<uint64_t> deaths{0};


void fail(const char* what, long a = 0, long b = 0) {
  violations.fetch_add(1);
  std::fprintf(stderr, "VIOLATION: %s (%ld, %ld)\n", what, a, b);
}

void fail_plain(const char* what, long a, long b) { fail(what, a, b); }

stress::RobustCounters robust;
stress::WakeCounters duel_wakes, device_wakes;

struct DevicePool {
  std::mutex mu;
  std::vector<Device*> live;  // each with a lifetime reference owned by the pool

  Device* pick(std::mt19937& rng, uint32_t residue) {
    std::lock_guard<std::mutex> lock(mu);
    std::vector<Device*> fit;
    for (Device* d : live) {
      if (static_cast<uint32_t>(d->ifindex()) % kResidues == residue) fit.push_back(d);
    }
    if (fit.empty()) return nullptr;
    Device* d = fit[rng() % fit.size()];
    d->retain();
    return d;
  }
};

DevicePool pool;

void check_entry(uint32_t key, const Entry* e, uint64_t deaths_before) {
  int ifindex = e->ifindex;
  if (ifindex <= 0 || ifindex >= kMaxIfindex || !created[ifindex].load()) return fail("unknown ifindex", key, ifindex);
  if (static_cast<uint32_t>(ifindex) % kResidues != key % kResidues) fail("wrong residue", key, ifindex);
  if (e->device->ifindex() != ifindex) fail("entry/device ifindex mismatch", key, ifindex);
  if (e->device->mtu() < kMinMtu) fail("device memory looks wrong", key, ifindex);
  uint64_t died = death_seq[ifindex].load(std::memory_order_acquire);
  if (died != 0 && died <= deaths_before) fail("read a device whose unregistration had finished", key, ifindex);
}

// Inside a read-side section: the entry under `key` in either table kind.
Entry* find_entry(Table* table, uint32_t key) {
  if (auto* array = dynamic_cast<ArrayTable*>(table)) return array->lookup(key);
  return static_cast<HashTable*>(table)->find(key);
}

void reader(Table* table, unsigned seed) {
  std::mt19937 rng(seed);
  uint32_t keys[64];
  int32_t out[64];
  while (!stop.load(std::memory_order_relaxed)) {
    uint64_t deaths_before = deaths.load(std::memory_order_acquire);
    for (uint32_t& k : keys) k = rng() % kKeys;
    rt::rcu::ReadLock read;
    for (uint32_t k : keys) {
      if (const Entry* e = find_entry(table, k)) check_entry(k, e, deaths_before);
    }
    table->lookup_batch(keys, out, 64);
    for (int i = 0; i < 64; ++i) {
      if (out[i] != 0 && static_cast<uint32_t>(out[i]) % kResidues != keys[i] % kResidues) fail("batch residue", keys[i], out[i]);
    }
    lookups.fetch_add(128, std::memory_order_relaxed);
  }
}

// Reads an array table's ifindex words as JavaScript does (one plain 4-byte load, no read-side
// section, nothing dereferenced), and audits slots whole: the word always names the entry's
// device, and never a device whose unregistration finished before the read began.
void word_reader(ArrayTable* table, unsigned seed) {
  SlotMemory* memory = table->readable_slots();
  if (memory == nullptr) return;  // narrow slots: nothing reads the words
  std::mt19937 rng(seed);
  while (!stop.load(std::memory_order_relaxed)) {
    for (int i = 0; i < 64; ++i) {
      const uint32_t key = rng() % kKeys;
      const uint64_t deaths_before = deaths.load(std::memory_order_acquire);
      const int32_t ifindex = std::atomic_ref<int32_t>(memory->slots()[key].ifindex).load(std::memory_order_relaxed);
      if (ifindex == 0) continue;
      if (ifindex < 0 || ifindex >= kMaxIfindex || !created[ifindex].load()) {
        fail("word names an unknown ifindex", key, ifindex);
        continue;
      }
      if (static_cast<uint32_t>(ifindex) % kResidues != key % kResidues) fail("word residue", key, ifindex);
      const uint64_t died = death_seq[ifindex].load(std::memory_order_acquire);
      if (died != 0 && died <= deaths_before) fail("word names a device whose unregistration had finished", key, ifindex);
    }
    {
      rt::rcu::ReadLock read;
      const uint32_t key = rng() % kKeys;
      Entry* entry = nullptr;
      int32_t ifindex = 0;
      SlotRef(&memory->slots()[key]).load_both(&entry, &ifindex);
      if (ifindex != (entry == nullptr ? 0 : entry->ifindex)) fail("slot word disagrees with its entry", key, ifindex);
    }
    lookups.fetch_add(65, std::memory_order_relaxed);
  }
}

void writer(Table* table, unsigned seed) {
  std::mt19937 rng(seed);
  while (!stop.load(std::memory_order_relaxed)) {
    uint32_t key = rng() % kKeys;
    switch (rng() % 4) {
      case 0:
      case 1: {
        Device* d = pool.pick(rng, key % kResidues);
        if (d == nullptr) break;
        uint64_t rev = 0;
        int err = table->update(key, d->ifindex(), &rev);
        if (err != 0 && err != -ENODEV) fail("update error", key, err);
        d->release();
        break;
      }
      case 2:
        table->remove(key);
        break;
      default: {
        uint32_t keys[4];
        int32_t ifindexes[4];
        std::vector<Device*> held;
        for (uint32_t i = 0; i < 4; ++i) {
          keys[i] = (key + i * kResidues) % kKeys;  // same residue
          Device* d = pool.pick(rng, key % kResidues);
          if (d == nullptr) break;
          held.push_back(d);
          ifindexes[i] = d->ifindex();
        }
        if (held.size() == 4) {
          rt::BatchFault bad;
          int err = table->update_batch(keys, ifindexes, 4, &bad);
          if (err != 0 && err != -ENODEV) fail("update_batch error", key, err);
        }
        for (Device* d : held) d->release();
      }
    }
    updates.fetch_add(1, std::memory_order_relaxed);
  }
}

Device* create_device(int serial) {
  Device* d = nullptr;
  std::string name = "d" + std::to_string(serial);
  DeviceConfig config;
  config.ring_size = 64;  // small: ring-full drops happen too
  int err = Namespace::root()->create_device(name, config, &d);
  if (err != 0) {
    fail("create_device", err);
    return nullptr;
  }
  if (d->ifindex() >= kMaxIfindex) {
    fail("ifindex space of the test exhausted", d->ifindex());
    return d;
  }
  created[d->ifindex()].store(1);
  d->retain();
  std::lock_guard<std::mutex> lock(all_mu);
  all_devices.push_back(DeviceRecord{d});
  return d;
}

template <typename AfterStart = void (*)()>
bool unregister_and_wait(Device* d, AfterStart after_start = [] {}) {
  // Shared: after a timeout the completion may still arrive, after this frame is gone.
  auto done = std::make_shared<Completion>();
  int ifindex = d->ifindex();
  Namespace::root()->unregister_device(d, [done] { done->signal(); });
  after_start();
  if (!done->wait()) {
    fail("unregister never completed; usage count", ifindex, d->usage_count());
    return false;
  }
  {
    std::lock_guard<std::mutex> lock(all_mu);
    for (DeviceRecord& r : all_devices) {
      if (r.device == d) r.tx_at_completion = static_cast<int64_t>(d->sink().stats().tx_frames);
    }
  }
  death_seq[ifindex].store(deaths.fetch_add(1) + 1, std::memory_order_release);
  deaths.store(deaths.load());  // publish after death_seq (acq/rel pair with readers)
  unregisters.fetch_add(1, std::memory_order_relaxed);
  return true;
}

void unregisterer(unsigned seed) {
  std::mt19937 rng(seed);
  int serial = 0;
  while (!stop.load(std::memory_order_relaxed)) {
    {
      std::lock_guard<std::mutex> lock(pool.mu);
      while (pool.live.size() < 24) {
        Device* d = create_device(serial++);
        if (d == nullptr) return;
        pool.live.push_back(d);
      }
    }
    Device* victim;
    {
      std::lock_guard<std::mutex> lock(pool.mu);
      victim = pool.live[rng() % pool.live.size()];
      Device* flapping = pool.live[rng() % pool.live.size()];
      flapping->set_up(!flapping->is_up());  // -ENETDOWN verdicts, then up again later
    }
    // Unregister while writers can still pick the device, then take it out of the pool.
    bool ok = unregister_and_wait(victim, [victim] {
      std::lock_guard<std::mutex> lock(pool.mu);
      std::erase(pool.live, victim);
    });
    victim->release();
    if (!ok) return;
  }
}

void table_churn(uint32_t shared_id, unsigned seed) {
  std::mt19937 rng(seed);
  while (!stop.load(std::memory_order_relaxed)) {
    Table* same = TableRegistry::instance().open(shared_id);
    if (same == nullptr) fail("open by id failed", shared_id);
    ArrayTable* extra = nullptr;
    if (ArrayTable::create(1 + rng() % 256, Namespace::root(), &extra) != 0) return fail("create table");
    for (uint32_t k = 0; k < 8 && k < extra->max_entries(); ++k) {
      Device* d = pool.pick(rng, k % kResidues);
      if (d == nullptr) continue;
      extra->update(k, d->ifindex(), nullptr);
      d->release();
    }
    churn_table_id.store(extra->id());  // redirectors may open it while it is being closed
    std::this_thread::sleep_for(std::chrono::microseconds(rng() % 200));
    auto closed = std::make_shared<Completion>();
    TableRegistry::instance().release(extra, [closed] { closed->signal(); });
    if (!closed->wait()) fail("table close never completed");
    if (same != nullptr) TableRegistry::instance().release(same, nullptr);
    table_cycles.fetch_add(1, std::memory_order_relaxed);
  }
}

// A setter and an unregisterer start at the same moment on the same fresh device, round after
// round: the race between publishing an entry and the notifier walking past its slot.
void duel(unsigned seed) {
  ArrayTable* arena = nullptr;
  if (ArrayTable::create(1, Namespace::root(), &arena) != 0) return fail("create duel table");
  std::barrier sync(2);
  std::atomic<Device*> contender{nullptr};
  std::atomic<bool> over{false};
  std::thread setter([&] {
    std::mt19937 rng(seed);
    for (;;) {
      sync.arrive_and_wait();  // round start
      if (over.load()) break;
      Device* d = contender.load();
      int err = arena->update(0, d->ifindex(), nullptr);
      if (err != 0 && err != -ENODEV) fail("duel update", err);
      sync.arrive_and_wait();  // round end
    }
  });
  int serial = 0;
  while (!stop.load(std::memory_order_relaxed)) {
    Device* d = create_device(2000000 + serial++);
    if (d == nullptr) break;
    contender.store(d);
    sync.arrive_and_wait();
    bool ok = unregister_and_wait(d);
    sync.arrive_and_wait();
    d->release();
    if (!ok) break;
    duels.fetch_add(1, std::memory_order_relaxed);
  }
  over.store(true);
  sync.arrive_and_wait();
  setter.join();
  auto closed = std::make_shared<Completion>();
  TableRegistry::instance().release(arena, [closed] { closed->signal(); });
  if (!closed->wait()) fail("duel table close never completed");
}

// A setter and a mover start at the same moment on the same fresh device: after the move, no
// table of the source namespace may hold an entry for the device (its publisher re-checks the
// device's generation). Every few rounds the device is unregistered while it moves.
void move_duel(unsigned seed) {
  std::mt19937 rng(seed);
  Namespace *a = nullptr, *b = nullptr;
  if (Namespace::create("duel-a", &a) != 0 || Namespace::create("duel-b", &b) != 0) return fail("duel namespaces");
  ArrayTable* table = nullptr;
  if (ArrayTable::create(1, a, &table) != 0) return fail("duel table");
  std::barrier sync(2);
  std::atomic<Device*> contender{nullptr};
  std::atomic<bool> over{false};
  std::thread setter([&] {
    for (;;) {
      sync.arrive_and_wait();
      if (over.load()) break;
      Device* d = contender.load();
      int err = table->update(0, d->ifindex(), nullptr);
      if (err != 0 && err != -ENODEV) fail("move duel update", err);
      sync.arrive_and_wait();
    }
  });
  for (int round = 0; !stop.load(std::memory_order_relaxed); ++round) {
    Device* d = nullptr;
    if (a->create_device("m" + std::to_string(round % 1000), DeviceConfig{}, &d) != 0) {
      fail("move duel create");
      break;
    }
    contender.store(d);
    sync.arrive_and_wait();
    std::shared_ptr<Completion> gone;
    if (round % 4 == 3) {
      gone = std::make_shared<Completion>();
      Namespace::unregister_device(d, [gone] { gone->signal(); });
    }
    auto purged = std::make_shared<Completion>();
    int err = Namespace::move_device(d, b, nullptr, [purged] { purged->signal(); });
    if (err != 0 && err != -ENODEV) fail("move failed", err);
    if (err == 0 && !purged->wait()) fail("a move's purge never completed", round);
    sync.arrive_and_wait();
    {
      rt::rcu::ReadLock read;
      const Entry* e = table->lookup(0);
      if (e != nullptr && e->device == d && d->ns() != a) fail("entry left in the source namespace after a move", round);
    }
    table->remove(0);
    if (!gone) {
      gone = std::make_shared<Completion>();
      Namespace::unregister_device(d, [gone] { gone->signal(); });
    }
    if (!gone->wait()) fail("moved device never unregistered", d->ifindex(), d->usage_count());
    d->release();
    move_duels.fetch_add(1, std::memory_order_relaxed);
    if (rng() % 2) std::this_thread::yield();
  }
  over.store(true);
  sync.arrive_and_wait();
  setter.join();
  auto closed = std::make_shared<Completion>();
  TableRegistry::instance().release(table, [closed] { closed->signal(); });
  if (!closed->wait()) fail("move duel table close never completed");
  for (Namespace* ns : {a, b}) {
    auto destroyed = std::make_shared<Completion>();
    ns->destroy([destroyed] { destroyed->signal(); });
    if (!destroyed->wait()) fail("move duel namespace destroy never completed");
    ns->release();
  }
}

// Device kinds across namespaces: a lower in X with uppers in Y and Z, a veth X<->Y, a tunnel in
// Z with backend X. A mover keeps moving the uppers and the veth end between Y, Z and W while X
// is destroyed (cascading through Y's and Z's unregister queues). Everything must be released,
// and every namespace destroyed, in bounded time.
void kind_storm(unsigned seed) {
  std::mt19937 rng(seed);
  for (int round = 0; !stop.load(std::memory_order_relaxed); ++round) {
    Namespace* ns[4] = {};
    for (int i = 0; i < 4; ++i) {
      if (Namespace::create("storm" + std::to_string(round) + "-" + std::to_string(i), &ns[i]) != 0) return fail("storm ns");
    }
    Namespace *x = ns[0], *y = ns[1], *z = ns[2], *w = ns[3];
    std::vector<Device*> devices;  // lifetime references
    Device* lower = nullptr;
    if (x->create_device("lower", DeviceConfig{}, &lower) != 0) return fail("storm lower");
    devices.push_back(lower);
    for (auto [target, name] : {std::pair{y, "up-y"}, std::pair{z, "up-z"}, std::pair{x, "up-x"}}) {
      Device* upper = nullptr;
      if (Namespace::create_upper(lower, DeviceKind::Ipvlan, target, name, DeviceConfig{}, &upper) != 0) return fail("storm upper");
      devices.push_back(upper);
    }
    Device *va = nullptr, *vb = nullptr;
    if (Namespace::create_veth_pair(x, "va", DeviceConfig{}, y, "vb", DeviceConfig{}, &va, &vb) != 0) return fail("storm veth");
    devices.push_back(va);
    devices.push_back(vb);
    Device* tunnel = nullptr;
    if (z->create_tunnel("tun", x, DeviceConfig{}, &tunnel) != 0) return fail("storm tunnel");
    devices.push_back(tunnel);

    std::atomic<bool> moving{true};
    std::thread mover([&, seed = rng()] {
      std::mt19937 r(seed);
      Namespace* places[3] = {y, z, w};
      Device* movable[3] = {devices[1], devices[2], vb};
      while (moving.load()) {
        Device* d = movable[r() % 3];
        int err = Namespace::move_device(d, places[r() % 3], nullptr);
        if (err != 0 && err != -ENODEV && err != -EEXIST && err != -ENOENT) fail("storm move", err);
        std::this_thread::yield();
      }
    });
    std::this_thread::sleep_for(std::chrono::microseconds(rng() % 300));
    auto destroyed = std::make_shared<Completion>();
    x->destroy([destroyed] { destroyed->signal(); });
    if (!destroyed->wait()) fail("storm: destroy of the lower's namespace never completed");
    moving.store(false);
    mover.join();
    for (Device* d : devices) {
      if (d->state() != DeviceState::Released) fail("storm: a device survived", static_cast<long>(d->kind()), d->usage_count());
    }
    rt::rcu::wait_for_callbacks();  // let released lowers be freed if nothing held them
    for (Device* d : devices) {
      if (Device* l = d->retain_lower()) l->release();  // an upper keeps its lower's memory
      d->release();
    }
    for (Namespace* n : ns) {
      auto done = std::make_shared<Completion>();
      if (n != x) n->destroy([done] { done->signal(); });
      if (n != x && !done->wait()) fail("storm: namespace destroy never completed");
      n->release();
    }
    kind_storms.fetch_add(1, std::memory_order_relaxed);
  }
}

// Creates a namespace with devices and a table, uses them, opens the namespace by name from
// here while destroying it, and checks destroy() completes and frees everything (LSan).
void namespace_churn(unsigned seed) {
  std::mt19937 rng(seed);
  while (!stop.load(std::memory_order_relaxed)) {
    Namespace* ns = nullptr;
    std::string name = "ns" + std::to_string(namespace_cycles.load());
    if (Namespace::create(name, &ns) != 0) return fail("namespace create");
    std::vector<Device*> devices;
    for (int i = 0; i < 4; ++i) {
      Device* d = nullptr;
      DeviceConfig config;
      config.ring_size = 16;
      if (ns->create_device("eth" + std::to_string(i), config, &d) != 0) return fail("create device in namespace");
      if (d->ifindex() != i + 1) fail("namespace ifindex not from 1", d->ifindex());
      devices.push_back(d);
    }
    ArrayTable* table = nullptr;
    if (ArrayTable::create(8, ns, &table) != 0) return fail("create table in namespace");
    for (uint32_t k = 0; k < 8; ++k) table->update(k, 1 + static_cast<int>(k % 4), nullptr);
    uint32_t keys[8] = {0, 1, 2, 3, 4, 5, 6, 7}, ids[8] = {}, lengths[8] = {64, 64, 64, 64, 64, 64, 64, 64};
    table->redirect(keys, ids, lengths, nullptr, 8);
    auto destroyed = std::make_shared<Completion>();
    ns->destroy([destroyed] { destroyed->signal(); });
    if (Namespace::open(name) != nullptr) fail("a destroyed namespace can be opened");
    Device* late = nullptr;
    if (ns->create_device("late", DeviceConfig{}, &late) != -ENOENT) fail("device created in a destroyed namespace");
    table->redirect(keys, ids, lengths, nullptr, 8);  // races the purge
    if (!destroyed->wait()) fail("namespace destroy never completed");
    for (Device* d : devices) {
      if (d->state() != DeviceState::Released) fail("device of a destroyed namespace not released");
      d->release();
    }
    auto closed = std::make_shared<Completion>();
    TableRegistry::instance().release(table, [closed] { closed->signal(); });
    if (!closed->wait()) fail("namespace table close never completed");
    ns->release();
    namespace_cycles.fetch_add(1);
    if (rng() % 2) std::this_thread::yield();
  }
}

// A garbage collector on the shared table, racing the redirectors' refreshes, the writer's sets
// and deletes and the unregister purges: snapshot, then conditional deletes of what looked idle.
// A conditional delete may only succeed on the very entry (revision and idle stamp) it saw.
void collector(Table* table) {
  while (!stop.load(std::memory_order_relaxed)) {
    TableSnapshot snap;
    if (table->snapshot(&snap) != 0) fail("snapshot ENOMEM");
    uint64_t now = coarse_now_ms();
    for (size_t i = 0; i < snap.keys.size(); ++i) {
      if (now - snap.last_used[i] < 8) continue;  // recently used: keep
      int err = table->compare_and_delete(snap.keys[i], snap.revisions[i], &snap.last_used[i]);
      if (err == 0) collector_deletes.fetch_add(1, std::memory_order_relaxed);
      if (err != 0 && err != -ENOENT && err != -EBUSY) fail("compare_and_delete status", err);
    }
    uint64_t fresh = 0;
    if (!snap.keys.empty()) {
      int err = table->compare_and_set(snap.keys[0], snap.ifindexes[0], snap.revisions[0], &fresh);
      if (err != 0 && err != -ENOENT && err != -EBUSY && err != -ENODEV) fail("compare_and_set status", err);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

// Redirects batches of random keys (and single frames through the per-frame section) on the
// shared table and on whatever table the churn thread is closing.
void redirector(Table* table, unsigned index) {
  std::mt19937 rng(500 + index);
  uint32_t seq = 0;
  uint32_t keys[32], ids[32], lengths[32];
  int32_t verdicts[32];
  auto next_id = [&]() { return (index << kSeqBits) | seq++; };
  while (!stop.load(std::memory_order_relaxed) && seq < (1u << kSeqBits) - 64) {
    Table* target = table;
    Table* opened = nullptr;
    if (rng() % 8 == 0) {
      opened = TableRegistry::instance().open(churn_table_id.load());
      if (opened != nullptr) target = opened;
    }
    if (rng() % 4 == 0) {
      BulkQueues& queues = *BulkQueues::current();
      for (int i = 0; i < 20; ++i) {
        bool opened_section = false;
        uint32_t id = next_id();
        if (target->redirect_one(rng() % 64, id, 64 + rng() % 1400, &opened_section) == 0) frames_accepted.fetch_add(1);
      }
      queues.flush_and_close_section();
    } else {
      for (int i = 0; i < 32; ++i) {
        keys[i] = rng() % 64;
        ids[i] = next_id();
        lengths[i] = 64 + rng() % 1400;
      }
      long accepted = target->redirect(keys, ids, lengths, verdicts, 32);
      if (accepted < 0) fail("redirect ENOMEM", accepted);
      size_t zero = 0, refused = 0;
      for (int32_t v : verdicts) {
        zero += v == 0;
        refused += v == -ENOBUFS || v == -EIO;
      }
      if (static_cast<long>(zero) != accepted) fail("verdicts disagree with the delivered count", static_cast<long>(zero), static_cast<long>(accepted));
      frames_delivered.fetch_add(accepted);
      frames_accepted.fetch_add(accepted + refused);
    }
    if (opened != nullptr) TableRegistry::instance().release(opened, nullptr);
  }
}

// Drains every device ever created and checks each received id was sent once. Two consumer
// threads drain concurrently (the sink serialises them); the bitmap is shared under a mutex.
struct Receiver {
  std::mutex mu;
  std::vector<std::vector<uint64_t>> seen = std::vector<std::vector<uint64_t>>(
      kMaxRedirectors, std::vector<uint64_t>((1u << kSeqBits) / 64));

  void drain_all() {
    std::vector<std::pair<size_t, Device*>> devices;
    {
      std::lock_guard<std::mutex> lock(all_mu);
      for (size_t i = 0; i < all_devices.size(); ++i) devices.emplace_back(i, all_devices[i].device);
    }
    uint32_t ids[256];
    for (auto [index, dev] : devices) {
      uint32_t n;
      while ((n = dev->sink().receive(ids, nullptr, 256)) != 0) {
        {
          std::lock_guard<std::mutex> lock(mu);
          for (uint32_t i = 0; i < n; ++i) mark(ids[i]);
        }
        frames_received.fetch_add(n);
        std::lock_guard<std::mutex> lock(all_mu);
        all_devices[index].received += n;
      }
    }
  }

  void mark(uint32_t id) {
    uint32_t who = id >> kSeqBits, seq = id & ((1u << kSeqBits) - 1);
    if (who >= kMaxRedirectors) return fail("received an id no redirector sent", id);
    uint64_t bit = uint64_t{1} << (seq % 64);
    uint64_t& word = seen[who][seq / 64];
    if (word & bit) fail("frame received twice", id);
    word |= bit;
  }
};

Receiver receiver;

void consumer() {
  while (!stop.load(std::memory_order_relaxed)) {
    receiver.drain_all();
    std::this_thread::yield();
  }
}

}  // namespace

namespace rt {
// Race points (see addon/core/race_point.hpp): yield often, sleep sometimes.
void race_point() {
  thread_local std::mt19937 rng(std::hash<std::thread::id>()(std::this_thread::get_id()));
  uint32_t r = rng() % 64;
  if (r < 8) std::this_thread::yield();
  else if (r == 8) std::this_thread::sleep_for(std::chrono::microseconds(20));
}
}  // namespace rt

int main(int argc, char** argv) {
  double seconds = 3;
  int readers = 2;
  int redirectors = 2;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--seconds") == 0) seconds = std::atof(argv[i + 1]);
    if (std::strcmp(argv[i], "--readers") == 0) readers = std::atoi(argv[i + 1]);
    if (std::strcmp(argv[i], "--redirectors") == 0) redirectors = std::atoi(argv[i + 1]);
  }
  ArrayTable* table = nullptr;
  if (ArrayTable::create(kKeys, Namespace::root(), &table) != 0) return 2;
  {
    std::lock_guard<std::mutex> lock(pool.mu);
    for (int i = 0; i < 24; ++i) pool.live.push_back(create_device(1000000 + i));
  }

  std::vector<std::thread> threads;
  for (int i = 0; i < readers; ++i) threads.emplace_back(reader, table, 100 + i);
  threads.emplace_back(word_reader, table, 150);
  threads.emplace_back(writer, table, 7);
  threads.emplace_back(unregisterer, 8);
  threads.emplace_back(table_churn, table->id(), 9);
  threads.emplace_back(duel, 10);
  for (int i = 0; i < redirectors && i < static_cast<int>(kMaxRedirectors); ++i) threads.emplace_back(redirector, table, i);
  threads.emplace_back(consumer);
  threads.emplace_back(consumer);
  threads.emplace_back(namespace_churn, 11);
  threads.emplace_back(move_duel, 12);
  threads.emplace_back(kind_storm, 13);
  threads.emplace_back(collector, table);
  // The hash table kind gets the same treatment on the same devices.
  HashTable* hash = nullptr;
  if (HashTable::create(kKeys, Namespace::root(), &hash) != 0) return 2;
  threads.emplace_back(reader, hash, 300);
  threads.emplace_back(writer, hash, 301);
  threads.emplace_back(redirector, hash, redirectors < static_cast<int>(kMaxRedirectors) ? redirectors : 0);
  threads.emplace_back(collector, hash);
  // The paths that must fail cleanly or keep their word (robust_paths.cpp).
  threads.emplace_back(stress::alloc_faults, std::cref(stop), fail_plain, std::ref(robust));
  threads.emplace_back(stress::batch_race, std::cref(stop), fail_plain, std::ref(robust));
  threads.emplace_back(stress::rewritten_inputs, std::cref(stop), fail_plain, std::ref(robust));
  // Consumers waiting for frames: a duel on a sink of its own, and waits on the pool's devices
  // (woken by the redirectors' frames, cancelled, or closed by the devices' unregistration).
  threads.emplace_back(stress::wake_duel, std::cref(stop), fail_plain, std::ref(duel_wakes));
  threads.emplace_back(stress::device_waits, std::cref(stop), fail_plain, std::ref(device_wakes), [] {
    thread_local std::mt19937 rng(930);
    std::lock_guard<std::mutex> lock(pool.mu);
    if (pool.live.empty()) return static_cast<Device*>(nullptr);
    Device* d = pool.live[rng() % pool.live.size()];
    d->retain();
    return d;
  });
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop.store(true);
  for (auto& t : threads) t.join();

  // Tear everything down and check that it all completes.
  std::vector<Device*> rest;
  {
    std::lock_guard<std::mutex> lock(pool.mu);
    rest.swap(pool.live);
  }
  for (Device* d : rest) {
    unregister_and_wait(d);
    d->release();
  }
  auto closed = std::make_shared<Completion>();
  TableRegistry::instance().release(table, [closed] { closed->signal(); });
  if (!closed->wait()) fail("final table close never completed");
  auto hash_closed = std::make_shared<Completion>();
  TableRegistry::instance().release(hash, [hash_closed] { hash_closed->signal(); });
  if (!hash_closed->wait()) fail("final hash table close never completed");
  if (TableRegistry::instance().size() != 0) fail("tables left in the registry", static_cast<long>(TableRegistry::instance().size()));
  {
    std::vector<Device*> left;
    Namespace::root()->devices(&left);
    if (!left.empty()) fail("devices left in the namespace");
    for (Device* d : left) d->release();
  }
  {
    std::vector<Namespace*> left;
    Namespace::list(&left);
    if (left.size() != 1) fail("namespaces left besides root", static_cast<long>(left.size()));
    for (Namespace* ns : left) ns->release();
  }

  // Conservation, per frame and per device.
  receiver.drain_all();
  uint64_t handed = 0;
  {
    std::lock_guard<std::mutex> lock(all_mu);
    for (DeviceRecord& r : all_devices) {
      SinkStats st = r.device->sink().stats();
      handed += st.tx_frames + st.drops + st.errors;
      if (r.received != st.tx_frames) fail("device received != txFrames", static_cast<long>(r.received), static_cast<long>(st.tx_frames));
      if (r.tx_at_completion >= 0 && static_cast<uint64_t>(r.tx_at_completion) != st.tx_frames) {
        fail("frames reached a device after its unregistration completed", r.tx_at_completion, static_cast<long>(st.tx_frames));
      }
      r.device->release();
    }
    all_devices.clear();
  }
  stress::check_device_waits(fail_plain, device_wakes);
  stress::check_device_waits(fail_plain, duel_wakes);
  if (device_wakes.notified.load() == 0 || device_wakes.cancelled.load() == 0) {
    fail("device waits: no notification or no cancel exercised", static_cast<long>(device_wakes.notified.load()),
         static_cast<long>(device_wakes.cancelled.load()));
  }
  if (handed != frames_accepted.load()) fail("frames handed != tx + drops + errors", static_cast<long>(frames_accepted.load()), static_cast<long>(handed));
  if (frames_delivered.load() > frames_received.load()) fail("frames delivered > frames received", static_cast<long>(frames_delivered.load()), static_cast<long>(frames_received.load()));
  rt::rcu::wait_for_callbacks();
  rt::rcu::wait_for_callbacks();  // callbacks queued by callbacks (device frees)
  rt::rcu::unregister_current_thread();
  // Every byte the core counted comes back: only the root namespace is left.
  for (auto [kind, name] : {std::pair{rt::memory::kTables, "tables"}, std::pair{rt::memory::kEntries, "entries"},
                            std::pair{rt::memory::kRings, "rings"}, std::pair{rt::memory::kDevices, "devices"}}) {
    if (rt::memory::in_use(kind) != 0) {
      fail((std::string("native memory still counted after teardown: ") + name).c_str(), static_cast<long>(rt::memory::in_use(kind)));
    }
  }
  if (rt::memory::in_use(rt::memory::kNamespaces) != static_cast<int64_t>(sizeof(Namespace))) {
    fail("namespace memory other than the root's after teardown", static_cast<long>(rt::memory::in_use(rt::memory::kNamespaces)));
  }

  std::printf("stress robust paths: %llu injected ENOMEM, %llu racing batches (%llu E2BIG), %llu calls on rewritten inputs\n",
              (unsigned long long)robust.enomem.load(), (unsigned long long)robust.batch_races.load(),
              (unsigned long long)robust.batch_overflows.load(), (unsigned long long)robust.rewritten_calls.load());
  std::printf("stress wake-ups: duel %llu frames, %llu wake-ups, %llu waits (%llu cancelled), %llu ready; device waits %llu (%llu notified, %llu cancelled), %llu ready\n",
              (unsigned long long)duel_wakes.duel_frames.load(), (unsigned long long)duel_wakes.duel_wakeups.load(),
              (unsigned long long)duel_wakes.waits.load(), (unsigned long long)duel_wakes.cancelled.load(),
              (unsigned long long)duel_wakes.ready.load(), (unsigned long long)device_wakes.waits.load(),
              (unsigned long long)device_wakes.notified.load(), (unsigned long long)device_wakes.cancelled.load(),
              (unsigned long long)device_wakes.ready.load());
  if (robust.enomem.load() == 0) fail("no injected allocation failure was exercised");
  if (robust.batch_overflows.load() == 0) fail("racing batches never overflowed");
  std::printf("stress: %.1fs, %d readers, %d redirectors: %llu frames handed, %llu received, %llu lookups, %llu updates, %llu unregisters, %llu duels, %llu table cycles, %llu namespace cycles, %llu move duels, %llu kind storms, %llu collector deletes, %llu violations\n",
              seconds, readers, redirectors, (unsigned long long)frames_accepted.load(), (unsigned long long)frames_received.load(),
              (unsigned long long)lookups.load(), (unsigned long long)updates.load(),
              (unsigned long long)unregisters.load(), (unsigned long long)duels.load(), (unsigned long long)table_cycles.load(), (unsigned long long)namespace_cycles.load(), (unsigned long long)move_duels.load(), (unsigned long long)kind_storms.load(), (unsigned long long)collector_deletes.load(),
              (unsigned long long)violations.load());
  return violations.load() == 0 ? 0 : 1;
}
