#include "server/admission_reviewer.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <set>
#include <stdexcept>

#include "gates/common/json_fields.hpp"
#include "gates/common/migration_target.hpp"
#include "server/job_input.hpp"

namespace schemagate::server {
namespace {

using json_fields::field;
using nlohmann::json;

// The schemagate.io/* entries of a labels or annotations map.
std::map<std::string, json> ours(const json& m) {
  std::map<std::string, json> out;
  if (!m.is_object()) return out;
  for (auto it = m.begin(); it != m.end(); ++it) {
    if (it.key().rfind("schemagate.io/", 0) == 0) out.emplace(it.key(), it.value());
  }
  return out;
}

// An UPDATE is gated when it changes what a gate reads: the pod template's spec
// (containers, volumes, env) or a schemagate.io/* label or annotation. Status
// updates and unrelated metadata churn (finalizers, other labels) pass at once.
bool gated_fields_changed(const json& object, const json& old_object) {
  auto pod_spec = [](const json& j) -> const json& {
    return field(field(field(j, "spec"), "template"), "spec");
  };
  if (pod_spec(object) != pod_spec(old_object)) return true;
  // Resuming a suspended Job (plan's rollback Jobs) starts a migration: review it.
  if (field(field(object, "spec"), "suspend") != field(field(old_object, "spec"), "suspend")) return true;
  const json& meta = field(object, "metadata");
  const json& old_meta = field(old_object, "metadata");
  return ours(field(meta, "labels")) != ours(field(old_meta, "labels")) ||
         ours(field(meta, "annotations")) != ours(field(old_meta, "annotations"));
}

std::string job_display(const AdmissionRequest& req, const gates::Job& job) {
  std::string name = job.meta.name;
  if (name.empty()) name = req.name;
  if (name.empty()) {
    const json& gen = field(field(req.object, "metadata"), "generateName");
    name = (gen.is_string() ? gen.get<std::string>() : std::string()) + "<generated>";
  }
  return req.namespace_name + "/" + name;
}

}  // namespace

AdmissionReviewer::AdmissionReviewer(const ReviewerConfig& config, const gates::Registry& registry)
    : policy_path_(config.policy_path), registry_(registry), engine_(registry) {
  auto policy = std::make_shared<gates::Policy>();
  if (!policy_path_.empty()) {
    std::string error;
    if (!gates::load_policy_file(policy_path_, registry_, *policy, error)) throw std::runtime_error(error);
    stat_file(policy_path_, policy_id_);
  }
  policy_.store(std::move(policy));
  if (!config.cluster_state_path.empty()) {
    cluster_ = std::make_unique<k8s::StaticClusterView>(config.cluster_state_path);
  }
  if (!config.kubeconfig_path.empty() || config.in_cluster) {
    k8s::ClusterConfig kc = config.kubeconfig_path.empty() ? k8s::load_in_cluster_config()
                                                           : k8s::load_kubeconfig(config.kubeconfig_path);
    k8s::LiveClusterViewOptions live_options;
    live_options.max_staleness_seconds = policy_.load()->cache.max_staleness_seconds;
    live_ = std::make_unique<k8s::LiveClusterView>(kc, live_options);
    live_->start();
    k8s::ApiClientOptions lease_options;  // up to five calls inside the webhook's 10 s
    lease_options.connect_timeout = std::chrono::milliseconds(1500);
    lease_options.handshake_timeout = std::chrono::milliseconds(1500);
    lease_options.request_timeout = std::chrono::milliseconds(1500);
    lease_options.user_agent = "schemagate-lease";
    lease_client_ = k8s::make_api_client(kc, lease_options);
    leases_ = std::make_unique<k8s::LeaseLock>(*lease_client_,
                                               k8s::default_lease_namespace(live_->lease_namespace()));
  }
}

std::unique_ptr<Reviewer> make_admission_reviewer(const ReviewerConfig& config) {
  return std::make_unique<AdmissionReviewer>(config, gates::builtin_registry());
}

bool AdmissionReviewer::stat_file(const std::string& path, FileId& id) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return false;  // follows ConfigMap ..data symlinks
  id.dev = st.st_dev;
  id.ino = st.st_ino;
  id.size = static_cast<std::uint64_t>(st.st_size);
  id.mtime_ns = static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
  return true;
}

ReviewOutcome AdmissionReviewer::review(std::string_view request_body) const {
  auto start = std::chrono::steady_clock::now();
  ReviewOutcome out;
  std::shared_ptr<const gates::Policy> policy = policy_.load();
  try {
    DecodeResult decoded = decode_admission_review(request_body);
    if (!decoded.request) {
      out.http_status = 400;
      out.decision = "error";
      out.body = encode_bad_request(decoded.error);
      return out;
    }
    const AdmissionRequest& req = *decoded.request;
    out.uid = req.uid;
    out.namespace_name = req.namespace_name;
    out.job_name = req.name;
    out.operation = req.operation;
    out.dry_run = req.dry_run;
    evaluate(req, *policy, out);
  } catch (const std::exception& e) {
    out.http_status = 200;
    out.decision = "error";
    out.fired_gates.clear();
    out.finding_gates.clear();
    out.body = encode_admission_review(
        response_internal_error(out.uid, e.what(), policy->failure_mode == gates::FailureMode::kClosed));
  } catch (...) {
    out.http_status = 200;
    out.decision = "error";
    out.body = encode_admission_review(response_internal_error(
        out.uid, "unknown exception", policy->failure_mode == gates::FailureMode::kClosed));
  }
  out.evaluation_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  return out;
}

void AdmissionReviewer::evaluate(const AdmissionRequest& req, const gates::Policy& policy,
                                 ReviewOutcome& out) const {
  auto skip = [&] {
    out.decision = "skip";
    out.body = encode_admission_review(response_skip(req.uid));
  };
  bool is_job = req.kind.group == "batch" && req.kind.version == "v1" && req.kind.kind == "Job";
  bool gated_op = req.operation == "CREATE" || req.operation == "UPDATE";
  if (!is_job || !gated_op || !req.object.is_object()) return skip();
  if (policy.is_exempt(req.namespace_name)) return skip();
  if (req.operation == "UPDATE" && !gated_fields_changed(req.object, req.old_object)) return skip();

  // One snapshot for the whole evaluation: a reload mid-request cannot mix states.
  std::shared_ptr<const k8s::ClusterSnapshot> snapshot = cluster_ ? cluster_->snapshot() : nullptr;
  std::shared_ptr<const gates::ClusterView> live_view = live_ ? live_->view() : nullptr;
  if (live_view && !live_view->synced()) {
    // A stale or unsynced live view cannot answer tenancy and concurrency questions:
    // migration Jobs get the policy's failure mode (docs/live-cluster.md).
    const json& label = field(field(field(req.object, "metadata"), "labels"), "schemagate.io/migration");
    if (label.is_string() && label.get<std::string>() == "true") {
      char age[32];
      std::snprintf(age, sizeof(age), "%.0f", live_->age_seconds());
      out.decision = "error";
      out.body = encode_admission_review(response_internal_error(
          req.uid,
          std::string("cluster view is not synced: no successful contact with the apiserver for ") + age +
              " s (cache.maxStalenessSeconds " + std::to_string(policy.cache.max_staleness_seconds) + ")",
          policy.failure_mode == gates::FailureMode::kClosed));
      return;
    }
  }
  JobContextOptions options;
  options.policy = &policy;
  options.cluster = live_view ? live_view.get() : snapshot.get();
  options.cache = &cache_;
  options.operation = req.operation;
  options.dry_run = req.dry_run;
  std::string ns = req.namespace_name;
  if (ns.empty())
    ns = field(field(req.object, "metadata"), "namespace").is_string()
             ? field(field(req.object, "metadata"), "namespace").get<std::string>()
             : std::string();
  std::unique_ptr<JobContext> jc = build_job_context(req.object, ns, options);
  if (out.job_name.empty()) out.job_name = jc->job.meta.name;

  jc->ctx.finding_cache = &findings_;
  gates::Verdict verdict = engine_.evaluate(jc->ctx);
  // The one write on the request path (ARCHITECTURE.md §8): only for an admitted,
  // real request that starts a migration: a CREATE of a Job that is not suspended, or
  // an UPDATE that resumes a suspended one (plan's rollback Jobs). Dry runs take no
  // Lease (sideEffects: NoneOnDryRun).
  bool starts = !jc->job.suspended &&
                (req.operation == "CREATE" || field(field(req.old_object, "spec"), "suspend") == json(true));
  if (leases_ && !req.dry_run && starts && verdict.decision == gates::Decision::kAllow &&
      jc->job.is_migration() && !take_lease(req, policy, *jc, options.cluster, verdict, out))
    return;
  ReplyContext rc{req.uid, job_display(req, jc->job)};
  out.body = encode_admission_review(response_for_verdict(rc, verdict));
  out.decision = verdict.decision == gates::Decision::kDeny ? "deny" : "allow";
  out.fired_gates = verdict.fired_gates();
  for (const gates::Finding& f : verdict.findings)
    out.finding_gates.push_back(f.gate_id);
}

bool AdmissionReviewer::take_lease(const AdmissionRequest& req, const gates::Policy& policy,
                                   const JobContext& jc, const gates::ClusterView* view,
                                   gates::Verdict& verdict, ReviewOutcome& out) const {
  static constexpr std::string_view kGate = "concurrency.one-migration-per-database";
  const gates::Gate* gate = registry_.find(std::string(kGate));
  if (gate == nullptr) return true;
  const std::string& ns = jc.ctx.namespace_name;
  // The gate off, or approved for this Job: the Lease is its cross-replica half.
  gates::Severity severity = policy.severity_for(gate->info(), ns);
  const auto& approved = jc.ctx.approval.gate_ids;
  if (severity == gates::Severity::kOff ||
      (jc.ctx.approval.valid && std::find(approved.begin(), approved.end(), kGate) != approved.end()))
    return true;
  std::optional<gates::Namespace> ns_obj = view != nullptr ? view->get_namespace(ns) : std::nullopt;
  gates::concurrency::MigrationTarget target =
      gates::concurrency::migration_target(jc.job, ns, ns_obj ? &*ns_obj : nullptr, policy);
  k8s::LeaseClaim claim;
  claim.tenant = target.tenant;
  claim.database = target.database;
  std::string name = jc.job.meta.name.empty() ? req.name : jc.job.meta.name;
  claim.holder = ns + "/" + (name.empty() ? "uid-" + req.uid : name);
  claim.duration_seconds = policy.concurrency.lease_duration_seconds;
  k8s::LeaseResult lease = leases_->acquire(claim, view, std::chrono::system_clock::now());
  if (lease.outcome == k8s::LeaseOutcome::kWon) return true;
  gates::Finding f;
  f.gate_id = std::string(kGate);
  f.location.source =
      target.database_from_annotation ? "metadata.annotations[schemagate.io/database]" : "metadata.namespace";
  if (lease.outcome == k8s::LeaseOutcome::kError) {
    std::string what = "database Lease for " + target.display() + " not taken: " + lease.detail;
    if (policy.failure_mode == gates::FailureMode::kClosed) {
      out.decision = "error";
      out.body = encode_admission_review(response_internal_error(req.uid, what, true));
      return false;
    }
    f.severity = gates::Severity::kWarning;
    f.message = what + " (failureMode open: admitted).";
    f.help = "Check the webhook's RBAC for leases in namespace " + leases_->lease_namespace() +
             " and the apiserver's health.";
  } else {
    f.severity = severity;
    f.message = "another migration of " + target.display() + " was admitted first (lease " + lease.lease +
                " held by " + lease.holder + ")";
    f.help = "Wait until Job " + lease.holder + " completes or fails, then create this Job again.";
  }
  verdict.findings.push_back(std::move(f));
  verdict.would_deny = verdict.count(gates::Severity::kError) > 0;
  if (verdict.would_deny && !verdict.audit) verdict.decision = gates::Decision::kDeny;
  return true;
}

bool AdmissionReviewer::ready() const {
  // Without a cluster view (none configured) there is nothing to wait for; migration
  // Jobs are then denied by job.require-migration-sql, which is the safe answer.
  return policy_.load() != nullptr && (cluster_ == nullptr || cluster_->synced()) &&
         (live_ == nullptr || live_->synced());
}

void AdmissionReviewer::refresh() {
  if (live_) live_->set_max_staleness_seconds(policy_.load()->cache.max_staleness_seconds);
  if (cluster_) {
    std::uint64_t failed = cluster_->reloads_failed();
    cluster_->reload_if_changed();
    // A failed reload keeps the previous snapshot; say why once per bad version.
    if (cluster_->reloads_failed() != failed) {
      std::cerr << "schemagate: cluster-state reload failed, keeping the previous state: "
                << cluster_->last_error() << "\n";
    }
  }
  if (policy_path_.empty()) return;
  std::lock_guard lock(reload_mu_);
  FileId id;
  if (!stat_file(policy_path_, id) || id == policy_id_ || id == policy_failed_id_) return;
  auto policy = std::make_shared<gates::Policy>();
  std::string error;
  if (!gates::load_policy_file(policy_path_, registry_, *policy, error)) {
    // Keep enforcing the last good policy; report the bad file once per version of it.
    policy_failed_id_ = id;
    policy_reloads_failed_.fetch_add(1);
    std::cerr << "schemagate: policy reload failed, keeping the previous policy: " << error << "\n";
    return;
  }
  policy_.store(std::move(policy));
  policy_id_ = id;
  policy_failed_id_ = FileId{};
  policy_reloads_ok_.fetch_add(1);
}

void AdmissionReviewer::append_metrics(std::string& out) const {
  char buf[64];
  bool synced = (cluster_ && cluster_->synced()) || (live_ && live_->synced());
  out += "# HELP schemagate_clusterview_synced Whether the cluster view reflects its source.\n";
  out += "# TYPE schemagate_clusterview_synced gauge\n";
  out += "schemagate_clusterview_synced " + std::string(synced ? "1" : "0") + "\n";
  if (cluster_) {
    double age =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - cluster_->loaded_at()).count();
    std::snprintf(buf, sizeof(buf), "%.3f", age);
    out += "# HELP schemagate_clusterview_age_seconds Seconds since the cluster view was last loaded.\n";
    out += "# TYPE schemagate_clusterview_age_seconds gauge\n";
    out += "schemagate_clusterview_age_seconds " + std::string(buf) + "\n";
    out += "# HELP schemagate_clusterview_reloads_total Reloads of the cluster-state file by result.\n";
    out += "# TYPE schemagate_clusterview_reloads_total counter\n";
    out += "schemagate_clusterview_reloads_total{result=\"success\"} " +
           std::to_string(cluster_->reloads_ok()) + "\n";
    out += "schemagate_clusterview_reloads_total{result=\"failure\"} " +
           std::to_string(cluster_->reloads_failed()) + "\n";
  }
  if (live_) {
    std::snprintf(buf, sizeof(buf), "%.3f", live_->age_seconds());
    out +=
        "# HELP schemagate_clusterview_age_seconds Seconds since the live view's last apiserver contact.\n";
    out += "# TYPE schemagate_clusterview_age_seconds gauge\n";
    out += "schemagate_clusterview_age_seconds " + std::string(buf) + "\n";
    live_->append_metrics(out);
  }
  if (leases_) leases_->append_metrics(out);
  out += "# HELP schemagate_policy_reloads_total Reloads of the policy file by result.\n";
  out += "# TYPE schemagate_policy_reloads_total counter\n";
  out += "schemagate_policy_reloads_total{result=\"success\"} " + std::to_string(policy_reloads_ok_.load()) +
         "\n";
  out += "schemagate_policy_reloads_total{result=\"failure\"} " +
         std::to_string(policy_reloads_failed_.load()) + "\n";
  out += "# HELP schemagate_migration_cache_lookups_total Parsed-migration cache lookups by result.\n";
  out += "# TYPE schemagate_migration_cache_lookups_total counter\n";
  out += "schemagate_migration_cache_lookups_total{result=\"hit\"} " + std::to_string(cache_.hits()) + "\n";
  out +=
      "schemagate_migration_cache_lookups_total{result=\"miss\"} " + std::to_string(cache_.misses()) + "\n";
  out += "# HELP schemagate_finding_cache_lookups_total Memoized lint/rollback findings lookups by result.\n";
  out += "# TYPE schemagate_finding_cache_lookups_total counter\n";
  out += "schemagate_finding_cache_lookups_total{result=\"hit\"} " + std::to_string(findings_.hits()) + "\n";
  out +=
      "schemagate_finding_cache_lookups_total{result=\"miss\"} " + std::to_string(findings_.misses()) + "\n";
  out += "# HELP schemagate_migration_cache_sets Parsed migration sets held in the cache.\n";
  out += "# TYPE schemagate_migration_cache_sets gauge\n";
  out += "schemagate_migration_cache_sets " + std::to_string(cache_.size()) + "\n";
}

}  // namespace schemagate::server
