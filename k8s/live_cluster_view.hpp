// The live ClusterView (ARCHITECTURE.md §1, docs/live-cluster.md): four informers
// against the apiserver — Namespaces (all), migration Jobs (label
// schemagate.io/migration=true, all namespaces), ConfigMaps (all namespaces, only
// their .sql/.go data keys), Leases (the lease namespace) — read per request through
// `view()`, a consistent set of immutable store snapshots.
//
// The one API call a review may make: `get_configmap` on a cache miss GETs the
// ConfigMap (one applied together with its Job may not have reached the watch yet)
// and keeps the answer for a minute. Everything else is answered from memory.
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "gates/cluster_view.hpp"
#include "k8s/api_client.hpp"
#include "k8s/config.hpp"
#include "k8s/informer.hpp"

namespace schemagate::k8s {

struct LiveClusterViewOptions {
  std::string lease_namespace;  // empty: the config's namespace
  int max_staleness_seconds = 300;
  // Shorter than the apiserver's webhook timeout (10 s by default), so a slow GET
  // still leaves time to answer.
  std::chrono::milliseconds configmap_get_timeout{2000};
  int min_watch_timeout_seconds = 300;
};

// The ConfigMap decoder the live view uses: only data keys ending in .sql or .go are
// kept (the only ones job input reads), so unrelated ConfigMaps cost their metadata.
gates::ConfigMap migration_configmap_from_json(const nlohmann::json& j);

class LiveClusterView final : public gates::ClusterView {
 public:
  // Builds the clients (throws at start-up on a bad CA or key); call start().
  LiveClusterView(const ClusterConfig& config, LiveClusterViewOptions options);
  ~LiveClusterView() override;  // stop()

  void start();
  void stop();  // stops and joins every informer thread

  // A consistent view for one evaluation: four atomic loads, no copies.
  std::shared_ptr<const gates::ClusterView> view() const;

  std::optional<gates::Namespace> get_namespace(std::string_view name) const override;
  std::optional<gates::ConfigMap> get_configmap(std::string_view ns, std::string_view name) const override;
  std::shared_ptr<const gates::ConfigMap> configmap(std::string_view ns,
                                                    std::string_view name) const override;
  std::vector<gates::Namespace> list_namespaces() const override;
  std::vector<gates::Job> migration_jobs(std::string_view ns) const override;
  std::vector<gates::Job> active_migration_jobs() const override;
  std::vector<gates::Lease> list_leases(std::string_view ns) const override;
  // Every informer listed once, and the oldest last contact is within max staleness.
  bool synced() const override;

  bool listed() const;  // every informer's first list is done
  // Seconds since the least recent successful contact of any informer (since
  // start while nothing was listed yet).
  double age_seconds() const;
  void set_max_staleness_seconds(int s) { max_staleness_.store(s); }
  int max_staleness_seconds() const { return max_staleness_.load(); }

  // Prometheus lines: relists, watch restarts, objects per store, ConfigMap GETs.
  void append_metrics(std::string& out) const;

  // The client the informers use; the Lease lock may share it (thread-safe).
  const ApiClient& client() const { return *client_; }
  const std::string& lease_namespace() const { return lease_namespace_; }

  // The hot-path fallback (also used by view()s): cache, then one GET.
  std::optional<gates::ConfigMap> fetch_configmap(std::string_view ns, std::string_view name) const;

 private:
  std::unique_ptr<ApiClient> client_;
  std::unique_ptr<ApiClient> hot_client_;  // short timeouts for the request path
  std::string lease_namespace_;
  std::atomic<int> max_staleness_;
  std::chrono::steady_clock::time_point started_;

  ObjectStore<gates::Namespace> namespaces_;
  ObjectStore<gates::Job> jobs_;
  // The Jobs that run or wait to run (not finished, not suspended): what every review's
  // concurrency gates read, a handful even when jobs_ holds 20,000.
  ObjectStore<gates::Job> active_jobs_;
  TeeSink job_sink_{jobs_, active_jobs_};
  ObjectStore<gates::ConfigMap> configmaps_;
  ObjectStore<gates::Lease> leases_;
  std::vector<std::unique_ptr<Informer>> informers_;

  struct Fetched {
    std::optional<gates::ConfigMap> configmap;  // nullopt: 404
    std::chrono::steady_clock::time_point at;
  };
  mutable std::mutex fetched_mu_;
  mutable std::map<std::string, Fetched, std::less<>> fetched_;
  mutable std::atomic<std::uint64_t> fetch_ok_{0};
  mutable std::atomic<std::uint64_t> fetch_not_found_{0};
  mutable std::atomic<std::uint64_t> fetch_failed_{0};
};

}  // namespace schemagate::k8s
