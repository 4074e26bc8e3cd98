// List+watch informers (ARCHITECTURE.md §1) in the shape of client-go's reflector:
// a paged list (limit=500), then a watch from the list's resourceVersion with
// bookmarks; BOOKMARK advances the RV; 410 Expired (as an ERROR event or an HTTP
// answer) relists; a dropped stream re-watches from the last RV; failures back off
// exponentially with jitter up to 30 s. One thread per informer, joined on stop().
//
// The store (ObjectStore<T>) keeps decoded objects only, never the JSON, in 64
// shards published copy-on-write: a reader takes one atomic shared_ptr load and
// then reads an immutable state; an event copies one shard (~1/64 of the objects'
// pointers, not the objects), so 20,000 Jobs are never copied per request or event.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "gates/cluster_view.hpp"
#include "k8s/api_client.hpp"

namespace schemagate::k8s {

// Receives what an informer reads. Called on the informer's thread only.
class InformerSink {
 public:
  virtual ~InformerSink() = default;
  virtual void begin_list() = 0;
  virtual void list_item(const nlohmann::json& object) = 0;
  virtual void end_list() = 0;  // replaces the whole content with the listed items
  virtual void upsert(const nlohmann::json& object) = 0;
  virtual void erase(const nlohmann::json& object) = 0;
};

struct InformerOptions {
  std::string resource;  // "jobs", for metrics and logs
  std::string path;      // the collection, e.g. "/apis/batch/v1/jobs"
  std::string label_selector;
  std::int64_t page_size = 500;
  // client-go's reflector: a watch timeout drawn from [min, 2*min), so replicas
  // do not all re-watch at once.
  int min_watch_timeout_seconds = 300;
  std::chrono::milliseconds backoff_initial{800};
  std::chrono::milliseconds backoff_max{30000};
};

class Informer {
 public:
  Informer(const ApiClient& client, InformerOptions options, InformerSink& sink);
  ~Informer();  // stop()
  Informer(const Informer&) = delete;
  Informer& operator=(const Informer&) = delete;

  void start();
  void request_stop() { thread_.request_stop(); }  // lets several informers wind down at once
  void stop();                                     // requests stop and joins; a watch notices within 250 ms

  bool synced() const { return synced_.load(); }  // the first list completed
  // Last successful exchange with the apiserver: a list page, a watch event or bookmark.
  std::chrono::steady_clock::time_point last_contact() const;
  std::uint64_t relists() const { return relists_.load(); }
  std::uint64_t watch_restarts() const { return watch_restarts_.load(); }
  const std::string& resource() const { return options_.resource; }
  std::string resource_version() const;

 private:
  void run(const std::stop_token& stop);
  bool list(const std::stop_token& stop, std::string& rv);
  void touch();
  bool sleep_for(std::chrono::milliseconds d, const std::stop_token& stop);

  const ApiClient& client_;
  InformerOptions options_;
  InformerSink& sink_;
  std::atomic<bool> synced_{false};
  std::atomic<std::int64_t> last_contact_ns_{0};
  std::atomic<std::uint64_t> relists_{0};
  std::atomic<std::uint64_t> watch_restarts_{0};
  mutable std::mutex rv_mu_;
  std::string rv_;
  std::jthread thread_;
};

// Hands every informer event to two sinks (the Jobs store and its index of active Jobs).
class TeeSink final : public InformerSink {
 public:
  TeeSink(InformerSink& a, InformerSink& b) : a_(a), b_(b) {}
  void begin_list() override {
    a_.begin_list();
    b_.begin_list();
  }
  void list_item(const nlohmann::json& object) override {
    a_.list_item(object);
    b_.list_item(object);
  }
  void end_list() override {
    a_.end_list();
    b_.end_list();
  }
  void upsert(const nlohmann::json& object) override {
    a_.upsert(object);
    b_.upsert(object);
  }
  void erase(const nlohmann::json& object) override {
    a_.erase(object);
    b_.erase(object);
  }

 private:
  InformerSink& a_;
  InformerSink& b_;
};

// Decoded objects keyed "namespace/name" ("/name" for cluster-scoped ones), sharded
// by namespace (by name when cluster-scoped).
template <class T>
class ObjectStore final : public InformerSink {
 public:
  using Ptr = std::shared_ptr<const T>;
  using Shard = std::map<std::string, Ptr, std::less<>>;
  static constexpr std::size_t kShards = 64;

  struct Snapshot {
    std::array<std::shared_ptr<const Shard>, kShards> shards;
    std::size_t size = 0;
    std::uint64_t version = gates::next_state_version();  // new for every state

    Ptr find(std::string_view ns, std::string_view name) const {
      const Shard& s = *shards[shard_of(ns, name)];
      auto it = s.find(key(ns, name));
      return it == s.end() ? nullptr : it->second;
    }
    // Every object of namespace `ns` (keys sort as "ns/" + name).
    template <class F>
    void for_each_in(std::string_view ns, F&& f) const {
      const Shard& s = *shards[shard_of(ns, "")];
      std::string prefix = std::string(ns) + "/";
      for (auto it = s.lower_bound(prefix); it != s.end() && it->first.compare(0, prefix.size(), prefix) == 0;
           ++it)
        f(*it->second);
    }
    template <class F>
    void for_each(F&& f) const {
      for (const auto& s : shards)
        for (const auto& [k, v] : *s)
          f(*v);
    }
  };

  using Decode = std::function<T(const nlohmann::json&)>;
  // Keeps only the objects `keep` accepts (all without one): an object that stops
  // being accepted leaves the store, as if deleted.
  using Keep = std::function<bool(const T&)>;
  explicit ObjectStore(Decode decode, Keep keep = nullptr)
      : decode_(std::move(decode)), keep_(std::move(keep)) {
    auto snap = std::make_shared<Snapshot>();
    for (auto& s : snap->shards)
      s = std::make_shared<const Shard>();
    current_.store(std::move(snap));
  }

  std::shared_ptr<const Snapshot> snapshot() const { return current_.load(); }

  void begin_list() override { building_ = std::make_unique<std::array<Shard, kShards>>(); }
  void list_item(const nlohmann::json& object) override {
    T t = decode_(object);
    if (keep_ && !keep_(t)) return;
    std::size_t i = shard_of(t.meta.namespace_name, t.meta.name);
    std::string k = key(t.meta.namespace_name, t.meta.name);
    (*building_)[i].insert_or_assign(std::move(k), std::make_shared<const T>(std::move(t)));
  }
  void end_list() override {
    auto snap = std::make_shared<Snapshot>();
    for (std::size_t i = 0; i < kShards; ++i) {
      snap->size += (*building_)[i].size();
      snap->shards[i] = std::make_shared<const Shard>(std::move((*building_)[i]));
    }
    building_.reset();
    current_.store(std::move(snap));
  }
  void upsert(const nlohmann::json& object) override {
    T t = decode_(object);
    std::string ns = t.meta.namespace_name, name = t.meta.name;
    if (keep_ && !keep_(t)) {
      change(ns, name, nullptr);
      return;
    }
    change(ns, name, std::make_shared<const T>(std::move(t)));
  }
  void erase(const nlohmann::json& object) override {
    T t = decode_(object);
    change(t.meta.namespace_name, t.meta.name, nullptr);
  }

 private:
  static std::size_t shard_of(std::string_view ns, std::string_view name) {
    return std::hash<std::string_view>{}(ns.empty() ? name : ns) % kShards;
  }
  static std::string key(std::string_view ns, std::string_view name) {
    std::string k;
    k.reserve(ns.size() + name.size() + 1);
    k.append(ns).append("/").append(name);
    return k;
  }
  void change(const std::string& ns, const std::string& name, Ptr value) {
    auto old = current_.load();
    std::size_t i = shard_of(ns, name);
    if (!value && old->shards[i]->count(key(ns, name)) == 0) return;  // nothing to erase
    auto shard = std::make_shared<Shard>(*old->shards[i]);
    std::size_t before = shard->size();
    if (value)
      shard->insert_or_assign(key(ns, name), std::move(value));
    else
      shard->erase(key(ns, name));
    auto snap = std::make_shared<Snapshot>(*old);
    snap->version = gates::next_state_version();
    snap->size = old->size - before + shard->size();
    snap->shards[i] = std::move(shard);
    current_.store(std::move(snap));
  }

  Decode decode_;
  Keep keep_;
  std::atomic<std::shared_ptr<const Snapshot>> current_;
  std::unique_ptr<std::array<Shard, kShards>> building_;  // during a list (informer thread only)
};

}  // namespace schemagate::k8s
