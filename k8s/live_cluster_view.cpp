#include "k8s/live_cluster_view.hpp"

#include <algorithm>
#include <cstdio>

namespace schemagate::k8s {
namespace {

// A fetched ConfigMap is a stand-in until the watch delivers it (the store is asked
// first), so a minute is plenty; a 404 is remembered briefly so a Job naming a
// missing ConfigMap costs one GET per few seconds, not one per retry.
constexpr std::chrono::seconds kFetchedTtl{60};
constexpr std::chrono::seconds kNotFoundTtl{5};
constexpr std::size_t kFetchedMax = 4096;

bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

using NsStore = ObjectStore<gates::Namespace>;
using JobStore = ObjectStore<gates::Job>;
using CmStore = ObjectStore<gates::ConfigMap>;
using LeaseStore = ObjectStore<gates::Lease>;

// One request's view: the four snapshots taken together at its start.
class LiveView final : public gates::ClusterView {
 public:
  LiveView(const LiveClusterView& owner, std::shared_ptr<const NsStore::Snapshot> ns,
           std::shared_ptr<const JobStore::Snapshot> jobs, std::shared_ptr<const JobStore::Snapshot> active,
           std::shared_ptr<const CmStore::Snapshot> cms, std::shared_ptr<const LeaseStore::Snapshot> leases,
           bool synced)
      : owner_(owner),
        ns_(std::move(ns)),
        jobs_(std::move(jobs)),
        active_(std::move(active)),
        cms_(std::move(cms)),
        leases_(std::move(leases)),
        synced_(synced) {}

  std::optional<gates::Namespace> get_namespace(std::string_view name) const override {
    if (auto p = ns_->find("", name)) return *p;
    return std::nullopt;
  }
  std::optional<gates::ConfigMap> get_configmap(std::string_view ns, std::string_view name) const override {
    if (auto p = configmap(ns, name)) return *p;
    return std::nullopt;
  }
  std::shared_ptr<const gates::ConfigMap> configmap(std::string_view ns,
                                                    std::string_view name) const override {
    if (auto p = cms_->find(ns, name)) return p;
    std::optional<gates::ConfigMap> fetched = owner_.fetch_configmap(ns, name);
    return fetched ? std::make_shared<const gates::ConfigMap>(std::move(*fetched)) : nullptr;
  }
  std::vector<gates::Namespace> list_namespaces() const override {
    std::vector<gates::Namespace> out;
    out.reserve(ns_->size);
    ns_->for_each([&](const gates::Namespace& n) { out.push_back(n); });
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.meta.name < b.meta.name; });
    return out;
  }
  std::vector<gates::Job> migration_jobs(std::string_view ns) const override {
    std::vector<gates::Job> out;
    auto add = [&](const gates::Job& j) { out.push_back(j); };
    if (ns.empty())
      jobs_->for_each(add);
    else
      jobs_->for_each_in(ns, add);
    // Deterministic order for the engine: same cluster, same verdict.
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
      return std::tie(a.meta.namespace_name, a.meta.name) < std::tie(b.meta.namespace_name, b.meta.name);
    });
    return out;
  }
  std::vector<gates::Job> active_migration_jobs() const override {
    std::vector<gates::Job> out;
    active_->for_each([&](const gates::Job& j) { out.push_back(j); });
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
      return std::tie(a.meta.namespace_name, a.meta.name) < std::tie(b.meta.namespace_name, b.meta.name);
    });
    return out;
  }
  std::vector<gates::Lease> list_leases(std::string_view ns) const override {
    std::vector<gates::Lease> out;
    auto add = [&](const gates::Lease& l) { out.push_back(l); };
    if (ns.empty())
      leases_->for_each(add);
    else
      leases_->for_each_in(ns, add);
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.meta.name < b.meta.name; });
    return out;
  }
  bool synced() const override { return synced_; }
  void for_each_namespace(const std::function<void(const gates::Namespace&)>& f) const override {
    ns_->for_each(f);
  }
  std::uint64_t namespaces_version() const override { return ns_->version; }

 private:
  const LiveClusterView& owner_;
  std::shared_ptr<const NsStore::Snapshot> ns_;
  std::shared_ptr<const JobStore::Snapshot> jobs_;
  std::shared_ptr<const JobStore::Snapshot> active_;  // jobs_' running and waiting ones
  std::shared_ptr<const CmStore::Snapshot> cms_;
  std::shared_ptr<const LeaseStore::Snapshot> leases_;
  bool synced_;
};

}  // namespace

gates::ConfigMap migration_configmap_from_json(const nlohmann::json& j) {
  gates::ConfigMap cm = gates::configmap_from_json(j);
  for (auto it = cm.data.begin(); it != cm.data.end();) {
    if (ends_with(it->first, ".sql") || ends_with(it->first, ".go"))
      ++it;
    else
      it = cm.data.erase(it);
  }
  // The informer store needs no field manager history.
  cm.meta.annotations.erase("kubectl.kubernetes.io/last-applied-configuration");
  return cm;
}

LiveClusterView::LiveClusterView(const ClusterConfig& config, LiveClusterViewOptions options)
    : lease_namespace_(options.lease_namespace.empty() ? config.namespace_name : options.lease_namespace),
      max_staleness_(options.max_staleness_seconds),
      started_(std::chrono::steady_clock::now()),
      namespaces_(gates::namespace_from_json),
      jobs_(gates::job_from_json),
      active_jobs_(gates::job_from_json,
                   [](const gates::Job& j) { return j.is_migration() && !j.finished() && !j.suspended; }),
      configmaps_(migration_configmap_from_json),
      leases_(gates::lease_from_json) {
  ApiClientOptions informer_options;
  // Lists are not interruptible by stop(): keep them short so shutdown is prompt.
  informer_options.request_timeout = std::chrono::milliseconds(15000);
  informer_options.user_agent = "schemagate-informer";
  client_ = make_api_client(config, informer_options);
  ApiClientOptions hot;
  hot.connect_timeout = options.configmap_get_timeout;
  hot.handshake_timeout = options.configmap_get_timeout;
  hot.request_timeout = options.configmap_get_timeout;
  hot.user_agent = "schemagate-webhook";
  hot_client_ = make_api_client(config, hot);

  auto add = [&](std::string resource, std::string path, std::string selector, InformerSink& sink) {
    InformerOptions o;
    o.resource = std::move(resource);
    o.path = std::move(path);
    o.label_selector = std::move(selector);
    o.min_watch_timeout_seconds = options.min_watch_timeout_seconds;
    informers_.push_back(std::make_unique<Informer>(*client_, std::move(o), sink));
  };
  add("namespaces", "/api/v1/namespaces", "", namespaces_);
  add("jobs", "/apis/batch/v1/jobs", std::string(gates::keys::kMigration) + "=true", job_sink_);
  add("configmaps", "/api/v1/configmaps", "", configmaps_);
  add("leases", "/apis/coordination.k8s.io/v1/namespaces/" + lease_namespace_ + "/leases", "", leases_);
}

LiveClusterView::~LiveClusterView() {
  stop();
}

void LiveClusterView::start() {
  started_ = std::chrono::steady_clock::now();
  for (auto& i : informers_)
    i->start();
}

void LiveClusterView::stop() {
  for (auto& i : informers_)
    i->request_stop();
  for (auto& i : informers_)
    i->stop();
}

bool LiveClusterView::listed() const {
  return std::all_of(informers_.begin(), informers_.end(), [](const auto& i) { return i->synced(); });
}

double LiveClusterView::age_seconds() const {
  auto oldest = std::chrono::steady_clock::time_point::max();
  for (const auto& i : informers_) {
    auto t = i->synced() ? i->last_contact() : started_;
    oldest = std::min(oldest, t);
  }
  if (informers_.empty()) oldest = started_;
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - oldest).count();
}

bool LiveClusterView::synced() const {
  return listed() && age_seconds() <= static_cast<double>(max_staleness_.load());
}

std::shared_ptr<const gates::ClusterView> LiveClusterView::view() const {
  return std::make_shared<const LiveView>(*this, namespaces_.snapshot(), jobs_.snapshot(),
                                          active_jobs_.snapshot(), configmaps_.snapshot(), leases_.snapshot(),
                                          synced());
}

std::optional<gates::Namespace> LiveClusterView::get_namespace(std::string_view name) const {
  return view()->get_namespace(name);
}
std::optional<gates::ConfigMap> LiveClusterView::get_configmap(std::string_view ns,
                                                               std::string_view name) const {
  return view()->get_configmap(ns, name);
}
std::shared_ptr<const gates::ConfigMap> LiveClusterView::configmap(std::string_view ns,
                                                                   std::string_view name) const {
  return view()->configmap(ns, name);
}
std::vector<gates::Namespace> LiveClusterView::list_namespaces() const {
  return view()->list_namespaces();
}
std::vector<gates::Job> LiveClusterView::migration_jobs(std::string_view ns) const {
  return view()->migration_jobs(ns);
}
std::vector<gates::Job> LiveClusterView::active_migration_jobs() const {
  return view()->active_migration_jobs();
}
std::vector<gates::Lease> LiveClusterView::list_leases(std::string_view ns) const {
  return view()->list_leases(ns);
}

std::optional<gates::ConfigMap> LiveClusterView::fetch_configmap(std::string_view ns,
                                                                 std::string_view name) const {
  if (ns.empty() || name.empty()) return std::nullopt;
  std::string key = std::string(ns) + "/" + std::string(name);
  auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(fetched_mu_);
    if (auto it = fetched_.find(key); it != fetched_.end()) {
      auto ttl = it->second.configmap ? kFetchedTtl : kNotFoundTtl;
      if (now - it->second.at < ttl) return it->second.configmap;
    }
  }
  ApiResponse r =
      hot_client_->get("/api/v1/namespaces/" + std::string(ns) + "/configmaps/" + std::string(name));
  Fetched f;
  f.at = now;
  if (r.status_code == 200 && r.body.is_object()) {
    fetch_ok_.fetch_add(1);
    f.configmap = migration_configmap_from_json(r.body);
  } else if (r.status_code == 404) {
    fetch_not_found_.fetch_add(1);
  } else {
    // Unknown: not cached, so the next review asks again; this one sees no ConfigMap.
    fetch_failed_.fetch_add(1);
    return std::nullopt;
  }
  std::lock_guard lock(fetched_mu_);
  if (fetched_.size() >= kFetchedMax) {
    std::erase_if(fetched_, [&](const auto& kv) { return now - kv.second.at >= kFetchedTtl; });
    if (fetched_.size() >= kFetchedMax) fetched_.clear();
  }
  fetched_.insert_or_assign(std::move(key), f);
  return f.configmap;
}

void LiveClusterView::append_metrics(std::string& out) const {
  out += "# HELP schemagate_informer_relists_total Lists after the first (410 Expired, failed watches).\n";
  out += "# TYPE schemagate_informer_relists_total counter\n";
  for (const auto& i : informers_)
    out += "schemagate_informer_relists_total{resource=\"" + i->resource() + "\"} " +
           std::to_string(i->relists()) + "\n";
  out += "# HELP schemagate_informer_watch_restarts_total Watches re-established without a relist.\n";
  out += "# TYPE schemagate_informer_watch_restarts_total counter\n";
  for (const auto& i : informers_)
    out += "schemagate_informer_watch_restarts_total{resource=\"" + i->resource() + "\"} " +
           std::to_string(i->watch_restarts()) + "\n";
  out += "# HELP schemagate_informer_synced Whether the informer finished its first list.\n";
  out += "# TYPE schemagate_informer_synced gauge\n";
  for (const auto& i : informers_)
    out +=
        "schemagate_informer_synced{resource=\"" + i->resource() + "\"} " + (i->synced() ? "1" : "0") + "\n";
  out += "# HELP schemagate_informer_objects Objects held per informer store.\n";
  out += "# TYPE schemagate_informer_objects gauge\n";
  out += "schemagate_informer_objects{resource=\"namespaces\"} " +
         std::to_string(namespaces_.snapshot()->size) + "\n";
  out += "schemagate_informer_objects{resource=\"jobs\"} " + std::to_string(jobs_.snapshot()->size) + "\n";
  out += "schemagate_informer_objects{resource=\"configmaps\"} " +
         std::to_string(configmaps_.snapshot()->size) + "\n";
  out +=
      "schemagate_informer_objects{resource=\"leases\"} " + std::to_string(leases_.snapshot()->size) + "\n";
  out +=
      "# HELP schemagate_migrations_active Migration Jobs running or waiting to run (not finished, not "
      "suspended).\n";
  out += "# TYPE schemagate_migrations_active gauge\n";
  out += "schemagate_migrations_active " + std::to_string(active_jobs_.snapshot()->size) + "\n";
  out += "# HELP schemagate_clusterview_configmap_gets_total ConfigMap GETs on a cache miss, by result.\n";
  out += "# TYPE schemagate_clusterview_configmap_gets_total counter\n";
  out += "schemagate_clusterview_configmap_gets_total{result=\"found\"} " + std::to_string(fetch_ok_.load()) +
         "\n";
  out += "schemagate_clusterview_configmap_gets_total{result=\"not_found\"} " +
         std::to_string(fetch_not_found_.load()) + "\n";
  out += "schemagate_clusterview_configmap_gets_total{result=\"error\"} " +
         std::to_string(fetch_failed_.load()) + "\n";
}

}  // namespace schemagate::k8s
