// The seam between the HTTPS edge (listener/session/routes) and admission review.
// `schemagate serve` and `schemagate review` both answer through a Reviewer, so the
// CLI and the server agree byte for byte.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace schemagate::server {

struct ReviewOutcome {
  int http_status = 200;  // 200 for every AdmissionReview answer; 400 only when no reply can be formed
  std::string body;       // the AdmissionReview response JSON (or an error JSON for 400)
  std::string uid;
  std::string namespace_name;
  std::string job_name;
  std::string operation;
  std::string decision;  // "allow" | "deny" | "skip" (not evaluated: not a Job, not a migration) | "error"
  std::vector<std::string> fired_gates;    // unique gate ids that reported
  std::vector<std::string> finding_gates;  // one entry per finding (for per-gate counters)
  bool dry_run = false;
  double evaluation_ms = 0;
};

class Reviewer {
 public:
  virtual ~Reviewer() = default;
  // Never throws: an internal failure becomes an answer per the policy's failure mode.
  virtual ReviewOutcome review(std::string_view request_body) const = 0;
  // Policy loaded and cluster view synced.
  virtual bool ready() const = 0;
  // Called about once a second by `serve`: reloads the policy and static cluster
  // state when their files changed (a bad new file keeps the old one, and says so).
  virtual void refresh() {}
  // Appends Prometheus text lines of its own (policy reloads, ClusterView sync state
  // and age) to the server's /metrics answer.
  virtual void append_metrics(std::string& /*out*/) const {}
};

struct ReviewerConfig {
  std::string policy_path;         // --config; empty: built-in defaults
  std::string cluster_state_path;  // --cluster-state: static ClusterView from a YAML file
  // --kubeconfig: live ClusterView (informers, docs/live-cluster.md) from this kubeconfig;
  // `in_cluster`: the same from the pod's service account. Both empty/false: no live view.
  std::string kubeconfig_path = {};
  bool in_cluster = false;
};

// The admission reviewer (server/admission_reviewer.cpp). Throws at start-up only,
// on an unreadable or invalid policy or cluster-state file.
std::unique_ptr<Reviewer> make_admission_reviewer(const ReviewerConfig& config);

}  // namespace schemagate::server
