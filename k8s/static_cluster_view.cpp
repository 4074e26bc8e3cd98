#include "k8s/static_cluster_view.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "k8s/yaml_json.hpp"

namespace schemagate::k8s {
namespace {

std::string position(const std::string& source, const YAML::Mark& m) {
  return source + ":" + std::to_string(m.line + 1) + ":" + std::to_string(m.column + 1);
}

std::string str_at(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// Adds one object; `node` is its YAML for error positions.
bool add_object(const YAML::Node& node, const nlohmann::json& object, const std::string& source,
                ClusterSnapshot& out, std::string& error) {
  if (!object.is_object()) {
    error = position(source, node.Mark()) + ": expected a Kubernetes object (a mapping with kind)";
    return false;
  }
  std::string kind = str_at(object, "kind");
  YAML::Mark kind_mark = node["kind"] ? node["kind"].Mark() : node.Mark();
  if (kind == "List") {
    const YAML::Node items = node["items"];
    if (!items) return true;
    if (!items.IsSequence()) {
      error = position(source, items.Mark()) + ": items of a List must be a list";
      return false;
    }
    const nlohmann::json& jitems = object["items"];
    for (std::size_t i = 0; i < items.size(); ++i) {
      if (!add_object(items[i], jitems[i], source, out, error)) return false;
    }
    return true;
  }
  gates::ObjectMeta meta = gates::meta_from_json(object);
  if (meta.name.empty() && (kind == "Namespace" || kind == "Job" || kind == "ConfigMap" || kind == "Lease")) {
    error = position(source, node.Mark()) + ": " + kind + " without metadata.name";
    return false;
  }
  auto ns_of = [](const gates::ObjectMeta& m) {
    return m.namespace_name.empty() ? "default" : m.namespace_name;
  };
  if (kind == "Namespace") {
    out.namespaces[meta.name] = gates::namespace_from_json(object);
  } else if (kind == "ConfigMap") {
    gates::ConfigMap cm = gates::configmap_from_json(object);
    cm.meta.namespace_name = ns_of(cm.meta);
    out.configmaps[{cm.meta.namespace_name, cm.meta.name}] = std::move(cm);
  } else if (kind == "Job") {
    gates::Job job = gates::job_from_json(object);
    job.meta.namespace_name = ns_of(job.meta);
    out.jobs.push_back(std::move(job));
  } else if (kind == "Lease") {
    gates::Lease lease = gates::lease_from_json(object);
    lease.meta.namespace_name = ns_of(lease.meta);
    out.leases.push_back(std::move(lease));
  } else {
    error = position(source, kind_mark) + ": unknown kind '" + kind +
            "' (expected Namespace, Job, ConfigMap, Lease or List)";
    return false;
  }
  return true;
}

}  // namespace

bool parse_cluster_state(const std::string& text, const std::string& source, ClusterSnapshot& out,
                         std::string& error) {
  std::vector<YamlDocument> docs;
  if (!parse_yaml_documents(text, source, docs, error)) return false;
  for (const YamlDocument& d : docs) {
    if (!add_object(d.node, d.object, source, out, error)) return false;
  }
  return true;
}

// ClusterSnapshot

std::optional<gates::Namespace> ClusterSnapshot::get_namespace(std::string_view name) const {
  auto it = namespaces.find(name);
  if (it == namespaces.end()) return std::nullopt;
  return it->second;
}

const gates::ConfigMap* ClusterSnapshot::find_configmap(std::string_view ns, std::string_view name) const {
  auto it = configmaps.find({std::string(ns), std::string(name)});
  return it == configmaps.end() ? nullptr : &it->second;
}

std::optional<gates::ConfigMap> ClusterSnapshot::get_configmap(std::string_view ns,
                                                               std::string_view name) const {
  const gates::ConfigMap* cm = find_configmap(ns, name);
  if (cm == nullptr) return std::nullopt;
  return *cm;
}

std::shared_ptr<const gates::ConfigMap> ClusterSnapshot::configmap(std::string_view ns,
                                                                   std::string_view name) const {
  const gates::ConfigMap* cm = find_configmap(ns, name);
  return cm == nullptr ? nullptr : std::shared_ptr<const gates::ConfigMap>(std::shared_ptr<void>(), cm);
}

std::vector<gates::Namespace> ClusterSnapshot::list_namespaces() const {
  std::vector<gates::Namespace> out;
  for (const auto& [name, ns] : namespaces)
    out.push_back(ns);
  return out;
}

void ClusterSnapshot::for_each_namespace(const std::function<void(const gates::Namespace&)>& f) const {
  for (const auto& [name, ns] : namespaces)
    f(ns);
}

std::vector<gates::Job> ClusterSnapshot::migration_jobs(std::string_view ns) const {
  std::vector<gates::Job> out;
  for (const gates::Job& j : jobs) {
    if (j.is_migration() && (ns.empty() || j.meta.namespace_name == ns)) out.push_back(j);
  }
  return out;
}

std::vector<gates::Job> ClusterSnapshot::active_migration_jobs() const {
  std::vector<gates::Job> out;
  for (const gates::Job& j : jobs) {
    if (j.is_migration() && !j.finished() && !j.suspended) out.push_back(j);
  }
  return out;
}

std::vector<gates::Lease> ClusterSnapshot::list_leases(std::string_view ns) const {
  std::vector<gates::Lease> out;
  for (const gates::Lease& l : leases) {
    if (ns.empty() || l.meta.namespace_name == ns) out.push_back(l);
  }
  return out;
}

// StaticClusterView

StaticClusterView::StaticClusterView(std::string path) : path_(std::move(path)) {
  std::shared_ptr<const ClusterSnapshot> snap;
  std::string error;
  if (!stat_file(loaded_id_, error) || !load(snap, error)) throw std::runtime_error(error);
  current_.store(std::move(snap));
  loaded_at_ = std::chrono::steady_clock::now();
}

bool StaticClusterView::stat_file(FileId& id, std::string& error) const {
  struct stat st {};
  // stat (not lstat) follows the `..data` symlink chain to the file that changes.
  if (::stat(path_.c_str(), &st) != 0) {
    error = path_ + ": " + std::strerror(errno);
    return false;
  }
  id.dev = st.st_dev;
  id.ino = st.st_ino;
  id.size = st.st_size;
  id.mtime_ns = static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
  return true;
}

bool StaticClusterView::load(std::shared_ptr<const ClusterSnapshot>& out, std::string& error) const {
  std::ifstream in(path_, std::ios::binary);
  if (!in) {
    error = path_ + ": cannot read: " + std::strerror(errno);
    return false;
  }
  std::ostringstream text;
  text << in.rdbuf();
  auto snap = std::make_shared<ClusterSnapshot>();
  if (!parse_cluster_state(text.str(), path_, *snap, error)) return false;
  snap->version = gates::next_state_version();  // immutable from here on
  out = std::move(snap);
  return true;
}

bool StaticClusterView::reload_if_changed() {
  std::lock_guard lock(mu_);
  FileId id;
  std::string error;
  if (!stat_file(id, error)) {
    if (last_error_ != error) reloads_failed_.fetch_add(1);
    last_error_ = error;
    return false;
  }
  if (id == loaded_id_ || id == failed_id_) return false;
  std::shared_ptr<const ClusterSnapshot> snap;
  if (!load(snap, error)) {
    failed_id_ = id;
    last_error_ = error;
    reloads_failed_.fetch_add(1);
    return false;
  }
  current_.store(std::move(snap));
  loaded_id_ = id;
  failed_id_ = FileId{};
  last_error_.clear();
  loaded_at_ = std::chrono::steady_clock::now();
  reloads_ok_.fetch_add(1);
  return true;
}

std::string StaticClusterView::last_error() const {
  std::lock_guard lock(mu_);
  return last_error_;
}

std::chrono::steady_clock::time_point StaticClusterView::loaded_at() const {
  std::lock_guard lock(mu_);
  return loaded_at_;
}

std::optional<gates::Namespace> StaticClusterView::get_namespace(std::string_view name) const {
  return snapshot()->get_namespace(name);
}
std::optional<gates::ConfigMap> StaticClusterView::get_configmap(std::string_view ns,
                                                                 std::string_view name) const {
  return snapshot()->get_configmap(ns, name);
}
std::shared_ptr<const gates::ConfigMap> StaticClusterView::configmap(std::string_view ns,
                                                                     std::string_view name) const {
  std::shared_ptr<const ClusterSnapshot> snap = snapshot();
  const gates::ConfigMap* cm = snap->find_configmap(ns, name);
  return cm == nullptr ? nullptr : std::shared_ptr<const gates::ConfigMap>(std::move(snap), cm);
}
std::vector<gates::Namespace> StaticClusterView::list_namespaces() const {
  return snapshot()->list_namespaces();
}
void StaticClusterView::for_each_namespace(const std::function<void(const gates::Namespace&)>& f) const {
  snapshot()->for_each_namespace(f);
}
std::uint64_t StaticClusterView::namespaces_version() const {
  return snapshot()->namespaces_version();
}
std::vector<gates::Job> StaticClusterView::migration_jobs(std::string_view ns) const {
  return snapshot()->migration_jobs(ns);
}
std::vector<gates::Job> StaticClusterView::active_migration_jobs() const {
  return snapshot()->active_migration_jobs();
}
std::vector<gates::Lease> StaticClusterView::list_leases(std::string_view ns) const {
  return snapshot()->list_leases(ns);
}

}  // namespace schemagate::k8s
