// The admission reviewer: AdmissionReview in, AdmissionReview out, through the one
// engine. `make_admission_reviewer` (reviewer.hpp) builds it for `serve` and
// `review`; tests build it directly to hand it a registry of their own.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>

#include "gates/engine.hpp"
#include "gates/finding_cache.hpp"
#include "k8s/lease_lock.hpp"
#include "k8s/live_cluster_view.hpp"
#include "k8s/static_cluster_view.hpp"
#include "server/admission.hpp"
#include "server/migration_cache.hpp"
#include "server/reviewer.hpp"

namespace schemagate::server {

struct JobContext;

class AdmissionReviewer final : public Reviewer {
 public:
  // Throws std::runtime_error on an unreadable or invalid policy or cluster-state
  // file (start-up only). `registry` must outlive the reviewer.
  AdmissionReviewer(const ReviewerConfig& config, const gates::Registry& registry);

  ReviewOutcome review(std::string_view request_body) const override;
  bool ready() const override;
  void refresh() override;
  void append_metrics(std::string& out) const override;

  const MigrationCache& cache() const { return cache_; }
  std::shared_ptr<const gates::Policy> policy() const { return policy_.load(); }

 private:
  struct FileId {
    std::uint64_t dev = 0, ino = 0, size = 0;
    std::int64_t mtime_ns = 0;
    bool operator==(const FileId&) const = default;
  };
  static bool stat_file(const std::string& path, FileId& id);

  // The evaluation proper; may throw only on a bug or allocation failure, which
  // review() turns into the failure-mode answer.
  void evaluate(const AdmissionRequest& req, const gates::Policy& policy, ReviewOutcome& out) const;
  // After an admitting verdict on a real CREATE: takes the database Lease. Losing it
  // adds a finding to `verdict`; an API error answers per the failure mode (false).
  bool take_lease(const AdmissionRequest& req, const gates::Policy& policy, const JobContext& jc,
                  const gates::ClusterView* view, gates::Verdict& verdict, ReviewOutcome& out) const;

  std::string policy_path_;
  const gates::Registry& registry_;
  gates::Engine engine_;
  std::atomic<std::shared_ptr<const gates::Policy>> policy_;
  std::unique_ptr<k8s::StaticClusterView> cluster_;
  std::unique_ptr<k8s::LiveClusterView> live_;  // --kubeconfig or in-cluster; stops its informers
  // The database Lease (docs/concurrency.md): with the live view only; its own
  // client, with request-path timeouts.
  std::unique_ptr<k8s::ApiClient> lease_client_;
  std::unique_ptr<k8s::LeaseLock> leases_;
  mutable MigrationCache cache_;
  mutable gates::FindingCache findings_;  // lint/rollback findings per migration set

  std::mutex reload_mu_;  // refresh() bookkeeping only; review() never takes it
  FileId policy_id_;
  FileId policy_failed_id_;
  std::atomic<std::uint64_t> policy_reloads_ok_{0};
  std::atomic<std::uint64_t> policy_reloads_failed_{0};
};

}  // namespace schemagate::server
