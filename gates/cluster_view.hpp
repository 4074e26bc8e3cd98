// Typed views of the Kubernetes objects gates read, and the ClusterView interface
// (ARCHITECTURE.md §1): `static` (a YAML file) and `live` (informers) implement it in
// k8s/. Gates see a read-only snapshot; they never call the API.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace schemagate::gates {

struct ObjectMeta {
  std::string name;
  std::string namespace_name;
  std::string uid;
  std::string resource_version;
  std::string creation_timestamp;
  std::map<std::string, std::string, std::less<>> labels;
  std::map<std::string, std::string, std::less<>> annotations;

  const std::string* label(std::string_view key) const;
  const std::string* annotation(std::string_view key) const;
};

struct EnvVar {
  std::string name;
  std::string value;      // empty when from a Secret or ConfigMap reference
  bool from_ref = false;  // valueFrom: we never read Secret values
};

struct VolumeMount {
  std::string name;
  std::string mount_path;
};

struct Container {
  std::string name;
  std::string image;
  std::vector<std::string> command;
  std::vector<std::string> args;
  std::vector<EnvVar> env;
  std::vector<VolumeMount> mounts;
  std::vector<std::string> env_from_configmaps;
  bool privileged = false;
  std::optional<bool> allow_privilege_escalation;
  std::vector<std::string> added_capabilities;
};

struct Volume {
  std::string name;
  std::vector<std::string> configmaps;  // configMap or projected configMap sources
};

struct Job {
  ObjectMeta meta;
  std::optional<std::int64_t> backoff_limit;
  std::optional<std::int64_t> active_deadline_seconds;
  bool suspended = false;  // spec.suspend: no pods until resumed (plan's rollback Jobs)
  std::string restart_policy;
  std::vector<Container> containers;
  std::vector<Container> init_containers;
  std::vector<Volume> volumes;
  bool host_network = false;
  bool host_pid = false;
  bool host_ipc = false;
  std::int64_t active = 0;
  std::int64_t succeeded = 0;
  std::int64_t failed = 0;
  bool condition_complete = false;
  bool condition_failed = false;

  bool finished() const { return condition_complete || condition_failed; }
  bool is_migration() const;  // label schemagate.io/migration: "true"
};

struct Namespace {
  ObjectMeta meta;
  const std::string* tenant() const;  // label schemagate.io/tenant
};

struct ConfigMap {
  ObjectMeta meta;
  std::map<std::string, std::string> data;  // binaryData is not SQL and is ignored
  // SHA-256 (32 bytes) of each .sql entry, taken once when the ConfigMap is decoded:
  // the parse cache's key, so a warm review does not hash the migrations again.
  std::map<std::string, std::string, std::less<>> sql_digests;
};

struct Lease {
  ObjectMeta meta;
  std::string holder_identity;
  std::int64_t lease_duration_seconds = 0;
  std::string acquire_time;
  std::string renew_time;
};

// Decoders from the API's JSON. They never throw: missing or mistyped fields read as
// absent, so a strange object is judged by the gates rather than crashing the edge.
ObjectMeta meta_from_json(const nlohmann::json& j);
Job job_from_json(const nlohmann::json& j);
Namespace namespace_from_json(const nlohmann::json& j);
ConfigMap configmap_from_json(const nlohmann::json& j);
Lease lease_from_json(const nlohmann::json& j);

class ClusterView {
 public:
  virtual ~ClusterView() = default;
  virtual std::optional<Namespace> get_namespace(std::string_view name) const = 0;
  virtual std::optional<ConfigMap> get_configmap(std::string_view ns, std::string_view name) const = 0;
  // The same ConfigMap without copying its data where the view can share it; valid at
  // least as long as the view. Null when it does not exist.
  virtual std::shared_ptr<const ConfigMap> configmap(std::string_view ns, std::string_view name) const {
    std::optional<ConfigMap> cm = get_configmap(ns, name);
    return cm ? std::make_shared<const ConfigMap>(std::move(*cm)) : nullptr;
  }
  virtual std::vector<Namespace> list_namespaces() const = 0;
  // Jobs labelled schemagate.io/migration=true; all namespaces when ns is empty.
  virtual std::vector<Job> migration_jobs(std::string_view ns) const = 0;
  virtual std::vector<Lease> list_leases(std::string_view ns) const = 0;
  // Migration Jobs still running or waiting to run (no Complete/Failed condition, not
  // suspended), all namespaces, ordered by namespace and name. Sized by what runs now
  // (at most the concurrency limit in a healthy cluster), not by history: the
  // concurrency gates read it on every review, so views with many finished Jobs
  // override it to skip them without copying.
  virtual std::vector<Job> active_migration_jobs() const {
    std::vector<Job> out;
    for (Job& j : migration_jobs("")) {
      if (j.is_migration() && !j.finished() && !j.suspended) out.push_back(std::move(j));
    }
    return out;
  }
  // True once the view reflects the cluster (first list done, or file loaded).
  virtual bool synced() const = 0;
  // Every namespace, without copying them; order unspecified.
  virtual void for_each_namespace(const std::function<void(const Namespace&)>& f) const {
    for (const Namespace& ns : list_namespaces())
      f(ns);
  }
  // Names the state of the namespaces: views answering the same non-zero value have
  // the same namespaces, so what is derived from them (the tenant directory) can be
  // reused. 0: unknown, derive afresh.
  virtual std::uint64_t namespaces_version() const { return 0; }
};

// A process-wide unique, non-zero value for namespaces_version().
std::uint64_t next_state_version();

// Well-known label and annotation keys (ARCHITECTURE.md §5).
namespace keys {
inline constexpr std::string_view kTenant = "schemagate.io/tenant";
inline constexpr std::string_view kSchemas = "schemagate.io/schemas";
inline constexpr std::string_view kDatabases = "schemagate.io/databases";
inline constexpr std::string_view kFreeze = "schemagate.io/freeze";
inline constexpr std::string_view kMigration = "schemagate.io/migration";
inline constexpr std::string_view kDatabase = "schemagate.io/database";
inline constexpr std::string_view kSchema = "schemagate.io/schema";
inline constexpr std::string_view kMigrations = "schemagate.io/migrations";
inline constexpr std::string_view kFormat = "schemagate.io/format";
inline constexpr std::string_view kApprove = "schemagate.io/approve";
}  // namespace keys

}  // namespace schemagate::gates
