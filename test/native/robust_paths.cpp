// See robust_paths.hpp.
#include "robust_paths.hpp"

#include "completion.hpp"

#include <cerrno>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "array_table.hpp"
#include "fail_alloc.hpp"
#include "hash_table.hpp"
#include "namespace.hpp"
#include "table_registry.hpp"

using namespace rt;

namespace stress {

namespace {


bool unregister_and_wait(Device* dev) {
  auto done = std::make_shared<Completion>();
  Namespace::unregister_device(dev, [done] { done->signal(); });
  return done->wait();
}

bool close_and_wait(Table* table) {
  auto done = std::make_shared<Completion>();
  TableRegistry::instance().release(table, [done] { done->signal(); });
  return done->wait();
}

bool destroy_and_wait(Namespace* ns) {
  auto done = std::make_shared<Completion>();
  ns->destroy([done] { done->signal(); });
  bool ok = done->wait();
  ns->release();
  return ok;
}

size_t count_devices(Namespace* ns) {
  std::vector<Device*> devices;
  if (ns->devices(&devices) != 0) return SIZE_MAX;
  for (Device* d : devices) d->release();
  return devices.size();
}

std::vector<uint32_t> keys_of(const Table* table) {
  std::vector<uint32_t> keys;
  table->keys(&keys);
  return keys;
}

// Runs `op` with the nth allocation failing; returns its result. `fired` tells whether the
// failure was reached.
template <typename Op>
int with_failure(unsigned n, bool* fired, Op op) {
  arm_allocation_failure(n);
  int err = op();
  *fired = allocation_failure_fired();
  arm_allocation_failure(0);
  return err;
}

}  // namespace

// Every operation below, with its 1st, 2nd, ... allocation failing: it must return -ENOMEM
// exactly when the injected failure was reached, and then have changed nothing.
void alloc_faults(const std::atomic<bool>& stop, Fail fail, RobustCounters& counters) {
  Namespace* ns = nullptr;
  if (Namespace::create("faults", &ns) != 0) return fail("faults namespace", 0, 0);
  Namespace* other = nullptr;
  if (Namespace::create("faults-other", &other) != 0) return fail("faults-other namespace", 0, 0);
  Device* lower = nullptr;
  if (ns->create_device("lower", DeviceConfig{}, &lower) != 0) return fail("faults lower", 0, 0);
  HashTable* hash = nullptr;
  ArrayTable* array = nullptr;
  if (HashTable::create(64, ns, &hash) != 0 || ArrayTable::create(64, ns, &array) != 0) return fail("faults tables", 0, 0);
  const uint32_t keys[4] = {1, 2, 3, 4};
  const int32_t ifindexes[4] = {lower->ifindex(), lower->ifindex(), lower->ifindex(), lower->ifindex()};
  // Runs `op` with its nth allocation failing: -ENOMEM exactly when that failure was reached.
  auto expect = [&](const char* what, unsigned n, auto op) {
    bool fired = false;
    int err = with_failure(n, &fired, op);
    if (err == -ENOMEM) counters.enomem.fetch_add(1, std::memory_order_relaxed);
    if ((err == -ENOMEM) != fired) fail(what, err, n);
    return err;
  };
  while (!stop.load(std::memory_order_relaxed)) {
    for (unsigned n = 1; n <= 12 && !stop.load(std::memory_order_relaxed); ++n) {
      // Tables.
      Table* made = nullptr;
      int err = expect("table create", n, [&] {
        HashTable* h = nullptr;
        ArrayTable* a = nullptr;
        int e = n % 2 ? HashTable::create(8, ns, &h) : ArrayTable::create(8, ns, &a);
        made = h != nullptr ? static_cast<Table*>(h) : a;
        return e;
      });
      if (err == 0 && !close_and_wait(made)) fail("faults table close", 0, 0);
      // Devices: a failed creation leaves no device and no name behind.
      size_t before = count_devices(ns);
      Device* dev = nullptr;
      err = expect("create_device", n, [&] { return ns->create_device("d0", DeviceConfig{}, &dev); });
      if (err == -ENOMEM && (count_devices(ns) != before || ns->find_device(std::string("d0")) != nullptr)) fail("failed create_device changed the namespace", 0, 0);
      if (err == 0) {
        // A move that fails leaves the device where it was, listed under its name.
        err = expect("move_device", n, [&] { return Namespace::move_device(dev, other, nullptr); });
        if (err == -ENOMEM) {
          Device* found = ns->find_device(std::string("d0"));
          if (dev->ns() != ns || found != dev) fail("failed move changed the device", 0, 0);
          if (found != nullptr) found->release();
        }
        if (!unregister_and_wait(dev)) fail("faults unregister", 0, 0);
        dev->release();
      }
      Device *a = nullptr, *b = nullptr;
      err = expect("veth", n, [&] {
        return Namespace::create_veth_pair(ns, "va", DeviceConfig{}, other, "vb", DeviceConfig{}, &a, &b);
      });
      if (err == -ENOMEM && (ns->find_device(std::string("va")) != nullptr || other->find_device(std::string("vb")) != nullptr)) fail("failed veth left an end", 0, 0);
      if (err == 0) {
        if (!unregister_and_wait(a) || !unregister_and_wait(b)) fail("faults veth unregister", 0, 0);
        a->release();
        b->release();
      }
      int64_t usage = lower->usage_count();
      Device* upper = nullptr;
      err = expect("upper", n, [&] { return Namespace::create_upper(lower, DeviceKind::Ipvlan, ns, "up0", DeviceConfig{}, &upper); });
      if (err == -ENOMEM && lower->usage_count() != usage) fail("failed upper kept a usage reference", lower->usage_count(), usage);
      if (err == 0) {
        if (!unregister_and_wait(upper)) fail("faults upper unregister", 0, 0);
        upper->release();
      }
      // Namespaces.
      Namespace* made_ns = nullptr;
      err = expect("namespace create", n, [&] { return Namespace::create("faults-made", &made_ns); });
      Namespace* reopened = Namespace::open(std::string("faults-made"));
      if (err == -ENOMEM && reopened != nullptr) fail("failed namespace create is registered", 0, 0);
      if (reopened != nullptr) reopened->release();
      if (err == 0 && !destroy_and_wait(made_ns)) fail("faults namespace destroy", 0, 0);
      // Batches: a failed batch changes no key.
      hash->remove_batch(keys, 4, nullptr);
      rt::BatchFault bad;
      err = expect("hash update_batch", n, [&] { return hash->update_batch(keys, ifindexes, 4, &bad); });
      if (err == -ENOMEM && !keys_of(hash).empty()) fail("failed hash batch set keys", 0, 0);
      err = expect("array update_batch", n, [&] { return array->update_batch(keys, ifindexes, 4, &bad); });
      if (err == -ENOMEM && !keys_of(array).empty()) fail("failed array batch set keys", 0, 0);
      if (err == 0) {
        long removed = 0;
        err = expect("array remove_batch", n, [&] { removed = array->remove_batch(keys, 4, &bad); return removed < 0 ? static_cast<int>(removed) : 0; });
        if (err == -ENOMEM && keys_of(array).size() != 4) fail("failed remove_batch removed keys", 0, 0);
        array->remove_batch(keys, 4, &bad);
      }
      // Reads that allocate their result.
      std::vector<uint32_t> out_keys;
      expect("keys", n, [&] { return hash->keys(&out_keys); });
      TableSnapshot snap;
      expect("snapshot", n, [&] { return hash->snapshot(&snap); });
      std::vector<Device*> devices;
      if (expect("devices", n, [&] { return ns->devices(&devices); }) == 0) {
        for (Device* d : devices) d->release();
      }
      std::vector<Namespace*> all;
      if (expect("list", n, [&] { return Namespace::list(&all); }) == 0) {
        for (Namespace* x : all) x->release();
      }
      std::vector<TableInfo> tables;
      if (expect("table list", n, [&] { return TableRegistry::instance().list(&tables); }) == 0) {
        // Other scenarios create tables meanwhile: this one's two are listed, in ascending order.
        size_t mine = 0;
        for (size_t i = 0; i < tables.size(); ++i) {
          if (i > 0 && tables[i - 1].id >= tables[i].id) fail("table list not ascending", tables[i].id, 0);
          const TableInfo& t = tables[i];
          if (t.id == hash->id() && !t.keyed_by_index && t.max_entries == 64 && t.namespace_id == ns->id()) ++mine;
          if (t.id == array->id() && t.keyed_by_index && t.max_entries == 64 && t.namespace_id == ns->id()) ++mine;
        }
        if (mine != 2) fail("table list misses this scenario's tables", static_cast<long>(mine), 2);
      } else if (!tables.empty()) {
        fail("failed table list left rows", static_cast<long>(tables.size()), 0);
      }
    }
  }
  if (!close_and_wait(hash) || !close_and_wait(array)) fail("faults tables close", 0, 0);
  lower->release();
  if (!destroy_and_wait(ns) || !destroy_and_wait(other)) fail("faults namespaces destroy", 0, 0);
}

// Two threads race update_batch of fresh, private key ranges on a hash table near maxEntries:
// a call that returned applied every key, a call that returned -E2BIG applied none and names a
// key of its own batch that is absent.
void batch_race(const std::atomic<bool>& stop, Fail fail, RobustCounters& counters) {
  Namespace* ns = nullptr;
  if (Namespace::create("batch-race", &ns) != 0) return fail("batch-race namespace", 0, 0);
  HashTable* table = nullptr;
  if (HashTable::create(96, ns, &table) != 0) return fail("batch-race table", 0, 0);
  auto racer = [&](int who) {
    Device* dev = nullptr;
    if (ns->create_device("r" + std::to_string(who), DeviceConfig{}, &dev) != 0) return fail("batch-race device", who, 0);
    uint32_t keys[64];
    int32_t ifindexes[64];
    for (uint32_t round = 0; !stop.load(std::memory_order_relaxed); ++round) {
      for (uint32_t i = 0; i < 64; ++i) {
        keys[i] = (static_cast<uint32_t>(who) << 24) + (round % 1024) * 64 + i;
        ifindexes[i] = dev->ifindex();
      }
      rt::BatchFault bad{SIZE_MAX, 0, 0};
      int err = table->update_batch(keys, ifindexes, 64, &bad);
      uint32_t applied = 0;
      for (uint32_t key : keys) {
        EntryView view;
        applied += table->read(key, &view) && view.ifindex == dev->ifindex();
      }
      if (err == 0 && applied != 64) fail("batch returned but applied only", applied, 64);
      if (err == -E2BIG) {
        counters.batch_overflows.fetch_add(1, std::memory_order_relaxed);
        if (applied != 0) fail("batch threw E2BIG but applied", applied, 0);
        EntryView view;
        if (bad.index >= 64 || bad.key != keys[bad.index] || table->read(bad.key, &view)) fail("E2BIG names a key that is present or not in the batch", static_cast<long>(bad.index), 0);
      } else if (err != 0) {
        fail("batch-race error", err, 0);
      }
      counters.batch_races.fetch_add(1, std::memory_order_relaxed);
      table->remove_batch(keys, 64, &bad);
    }
    if (!unregister_and_wait(dev)) fail("batch-race unregister", who, 0);
    dev->release();
  };
  std::thread first(racer, 1), second(racer, 2);
  first.join();
  second.join();
  if (!close_and_wait(table)) fail("batch-race close", 0, 0);
  if (!destroy_and_wait(ns)) fail("batch-race destroy", 0, 0);
}

// A thread toggles frame lengths between 100 and 100000 (MTU 1500) and keys between two sets
// while redirect, broadcast and update_batch read them: no frame longer than the MTU reaches the
// ring, and a batch that overflowed changed nothing.
void rewritten_inputs(const std::atomic<bool>& stop, Fail fail, RobustCounters& counters) {
  Namespace* ns = nullptr;
  if (Namespace::create("rewritten", &ns) != 0) return fail("rewritten namespace", 0, 0);
  Device* dev = nullptr;
  DeviceConfig config;
  config.ring_size = 1024;
  if (ns->create_device("rw0", config, &dev) != 0) return fail("rewritten device", 0, 0);
  ArrayTable* array = nullptr;
  HashTable* hash = nullptr;
  if (ArrayTable::create(4, ns, &array) != 0 || HashTable::create(40, ns, &hash) != 0) return fail("rewritten tables", 0, 0);
  for (uint32_t k = 0; k < 4; ++k) array->update(k, dev->ifindex(), nullptr);
  constexpr uint32_t kN = 32;
  uint32_t lengths[kN] = {}, keys[kN] = {}, frame_keys[kN] = {}, ids[kN] = {};
  int32_t ifindexes[kN];
  for (uint32_t i = 0; i < kN; ++i) {
    ids[i] = i;
    ifindexes[i] = dev->ifindex();
    keys[i] = 1000 + i;  // one of the two sets before the rewriter first runs
  }
  std::atomic<bool> done{false};
  std::thread rewriter([&] {
    for (uint32_t v = 0; !done.load(std::memory_order_relaxed); ++v) {
      for (uint32_t i = 0; i < kN; ++i) {
        __atomic_store_n(&lengths[i], v % 2 ? 100000u : 100u, __ATOMIC_RELAXED);
        __atomic_store_n(&keys[i], v % 2 ? 5000 + i : 1000 + i, __ATOMIC_RELAXED);
      }
    }
  });
  uint32_t got_ids[1024], got_lengths[1024];
  while (!stop.load(std::memory_order_relaxed)) {
    if (array->redirect(frame_keys, ids, lengths, nullptr, kN) < 0) fail("rewritten redirect ENOMEM", 0, 0);
    if (array->broadcast(ids, lengths, kN, 0) < 0) fail("rewritten broadcast ENOMEM", 0, 0);
    for (uint32_t n; (n = dev->sink().receive(got_ids, got_lengths, 1024)) != 0;) {
      for (uint32_t i = 0; i < n; ++i) {
        if (got_lengths[i] > kDefaultMtu) fail("a frame longer than the MTU reached the ring", got_lengths[i], 0);
      }
    }
    // Keys 1000.. or 5000..: 32 keys into 40 entries, with 1000.. present before each call.
    std::vector<uint32_t> present;
    hash->keys(&present);
    hash->remove_batch(present.data(), present.size(), nullptr);
    uint32_t set_a[kN];
    for (uint32_t i = 0; i < kN; ++i) set_a[i] = 1000 + i;
    rt::BatchFault bad;
    hash->update_batch(set_a, ifindexes, kN, &bad);
    int err = hash->update_batch(keys, ifindexes, kN, &bad);
    hash->keys(&present);
    for (uint32_t key : present) {
      if (!((key >= 1000 && key < 1000 + kN) || (key >= 5000 && key < 5000 + kN))) fail("a key outside both sets", key, 0);
    }
    if (err == -E2BIG && present.size() != kN) fail("overflowing batch with rewritten keys changed the table", static_cast<long>(present.size()), 0);
    if (err != 0 && err != -E2BIG) fail("rewritten update_batch", err, 0);
    counters.rewritten_calls.fetch_add(1, std::memory_order_relaxed);
  }
  done.store(true);
  rewriter.join();
  if (!close_and_wait(array) || !close_and_wait(hash)) fail("rewritten close", 0, 0);
  if (!unregister_and_wait(dev)) fail("rewritten unregister", 0, 0);
  dev->release();
  if (!destroy_and_wait(ns)) fail("rewritten destroy", 0, 0);
}

}  // namespace stress
