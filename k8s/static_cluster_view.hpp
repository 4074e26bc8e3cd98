// The static ClusterView (ARCHITECTURE.md §1): Namespaces, Jobs, ConfigMaps and
// Leases from a multi-document YAML file, for the demo, the CLI, CI and tests.
//
// Readers take an immutable snapshot (one atomic shared_ptr load) and never wait
// for a reload: `reload_if_changed()` parses the new file off to the side and swaps
// the pointer. A bad new file keeps the previous snapshot and records why.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include "gates/cluster_view.hpp"

namespace schemagate::k8s {

// One immutable state of the cluster: also a ClusterView, so a request can pin one
// snapshot for its whole evaluation and never see half of a reload.
class ClusterSnapshot final : public gates::ClusterView {
 public:
  std::optional<gates::Namespace> get_namespace(std::string_view name) const override;
  std::optional<gates::ConfigMap> get_configmap(std::string_view ns, std::string_view name) const override;
  // Not owning: valid while this snapshot is (a request pins it for its evaluation).
  std::shared_ptr<const gates::ConfigMap> configmap(std::string_view ns,
                                                    std::string_view name) const override;
  std::vector<gates::Namespace> list_namespaces() const override;
  std::vector<gates::Job> migration_jobs(std::string_view ns) const override;
  std::vector<gates::Job> active_migration_jobs() const override;
  std::vector<gates::Lease> list_leases(std::string_view ns) const override;
  bool synced() const override { return true; }
  void for_each_namespace(const std::function<void(const gates::Namespace&)>& f) const override;
  // Set by StaticClusterView when it publishes the snapshot; 0 (derive afresh) for a
  // snapshot built by hand, which may still change.
  std::uint64_t namespaces_version() const override { return version; }

  // Pointer access without a copy, for hot paths that only read.
  const gates::ConfigMap* find_configmap(std::string_view ns, std::string_view name) const;

  std::map<std::string, gates::Namespace, std::less<>> namespaces;
  std::map<std::pair<std::string, std::string>, gates::ConfigMap> configmaps;  // (ns, name)
  std::vector<gates::Job> jobs;
  std::vector<gates::Lease> leases;
  std::uint64_t version = 0;
};

// Parses a cluster-state YAML stream. Kinds: Namespace, Job (batch/v1), ConfigMap,
// Lease, and List of those (what `kubectl get -o yaml` prints). Any other kind is an
// error "<source>:<line>:<col>: unknown kind ..." at the kind's position. Namespaced
// objects without metadata.namespace are in "default", as kubectl would put them.
bool parse_cluster_state(const std::string& text, const std::string& source, ClusterSnapshot& out,
                         std::string& error);

class StaticClusterView final : public gates::ClusterView {
 public:
  // Loads the file; throws std::runtime_error when it cannot (start-up only).
  explicit StaticClusterView(std::string path);

  // The current snapshot; hold it for the length of one evaluation.
  std::shared_ptr<const ClusterSnapshot> snapshot() const { return current_.load(); }

  // Re-reads the file when its identity (inode, size, mtime of the resolved
  // target: Kubernetes swaps a `..data` symlink when a mounted ConfigMap changes)
  // differs from the loaded one. Returns true when a new snapshot was installed;
  // false when unchanged or when the new file is bad (see last_error()).
  bool reload_if_changed();

  std::string last_error() const;
  // When the current snapshot was loaded (steady clock, for age metrics).
  std::chrono::steady_clock::time_point loaded_at() const;
  std::uint64_t reloads_ok() const { return reloads_ok_.load(); }
  std::uint64_t reloads_failed() const { return reloads_failed_.load(); }
  const std::string& path() const { return path_; }

  std::optional<gates::Namespace> get_namespace(std::string_view name) const override;
  std::optional<gates::ConfigMap> get_configmap(std::string_view ns, std::string_view name) const override;
  // Shares the current snapshot, which it keeps alive.
  std::shared_ptr<const gates::ConfigMap> configmap(std::string_view ns,
                                                    std::string_view name) const override;
  std::vector<gates::Namespace> list_namespaces() const override;
  std::vector<gates::Job> migration_jobs(std::string_view ns) const override;
  std::vector<gates::Job> active_migration_jobs() const override;
  std::vector<gates::Lease> list_leases(std::string_view ns) const override;
  bool synced() const override { return current_.load() != nullptr; }
  void for_each_namespace(const std::function<void(const gates::Namespace&)>& f) const override;
  std::uint64_t namespaces_version() const override;

 private:
  struct FileId {
    dev_t dev = 0;
    ino_t ino = 0;
    off_t size = 0;
    std::int64_t mtime_ns = 0;
    bool operator==(const FileId&) const = default;
  };
  bool stat_file(FileId& id, std::string& error) const;
  bool load(std::shared_ptr<const ClusterSnapshot>& out, std::string& error) const;

  std::string path_;
  std::atomic<std::shared_ptr<const ClusterSnapshot>> current_;
  std::atomic<std::uint64_t> reloads_ok_{0};
  std::atomic<std::uint64_t> reloads_failed_{0};
  mutable std::mutex mu_;  // guards the reload bookkeeping below, never readers
  FileId loaded_id_;
  FileId failed_id_;  // a bad file is reported once, not re-parsed every second
  std::string last_error_;
  std::chrono::steady_clock::time_point loaded_at_;
};

}  // namespace schemagate::k8s
