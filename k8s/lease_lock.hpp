// The one-migration-per-database lock across webhook replicas (ARCHITECTURE.md §8,
// docs/concurrency.md): a coordination.k8s.io/v1 Lease per (tenant, database),
// created or taken over with optimistic concurrency, never held in memory. The
// apiserver is the arbiter: of two replicas that race, exactly one gets 201 (or 200
// on a takeover); the other gets 409 and denies.
//
// Nothing here throws; every API failure comes back as LeaseOutcome::kError, which
// the reviewer maps to the policy's failure mode.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "gates/cluster_view.hpp"
#include "k8s/api_client.hpp"

namespace schemagate::k8s {

// "schemagate-db-<tenant>-<database>" as a DNS-1123 subdomain: lowercase, [a-z0-9.-],
// alphanumeric at both ends, at most 253 characters. When that changes the name
// (upper case, '_', too long), a hash of the exact "<tenant>/<database>" is appended
// so two targets that sanitize alike still get two Leases.
std::string lease_name(std::string_view tenant, std::string_view database);

// The Lease namespace: $POD_NAMESPACE, else `fallback` (the service account's or the
// kubeconfig context's namespace), else "schemagate" (the chart's namespace).
std::string default_lease_namespace(std::string_view fallback = {});

// RFC 3339 (MicroTime "2024-05-01T10:00:00.000000Z", or with an offset) to a time
// point; nullopt when malformed.
std::optional<std::chrono::system_clock::time_point> parse_rfc3339(std::string_view text);
std::string format_micro_time(std::chrono::system_clock::time_point t);

enum class LeaseOutcome : std::uint8_t { kWon, kLost, kError };

struct LeaseClaim {
  std::string tenant;
  std::string database;
  std::string holder;  // "<namespace>/<job-name>" of the Job under review
  std::int64_t duration_seconds = 900;
  // A holder Job that does not exist (yet) is taken to be on its way while its
  // Lease is younger than this: admission runs before the apiserver stores the Job,
  // so a Lease won a moment ago names a Job nobody can GET yet.
  std::int64_t creation_grace_seconds = 60;
};

struct LeaseResult {
  LeaseOutcome outcome = LeaseOutcome::kError;
  std::string lease;   // the Lease's name
  std::string holder;  // who holds it now (the claimant when won)
  // How it was decided, for logs and messages: "created", "already held by this Job",
  // "renewed", "taken over from <holder> (finished)", "held by an active Job",
  // "lost the takeover race", or the API error.
  std::string detail;
};

class LeaseLock {
 public:
  // `api` must outlive the lock; it is shared with the informers (thread-safe).
  LeaseLock(const ApiClient& api, std::string lease_namespace);

  // Takes the Lease for `claim`, or says who holds it. `view` (may be null) answers
  // whether the holder's Job is finished; a Job it does not list is fetched with one
  // GET. `now` is handed in: expiry and grace compare it with the Lease's times.
  LeaseResult acquire(const LeaseClaim& claim, const gates::ClusterView* view,
                      std::chrono::system_clock::time_point now) const;

  const std::string& lease_namespace() const { return namespace_; }
  std::uint64_t won() const { return won_.load(); }
  std::uint64_t lost() const { return lost_.load(); }
  std::uint64_t errors() const { return errors_.load(); }
  // schemagate_leases_total{result=won|lost|error}.
  void append_metrics(std::string& out) const;

 private:
  enum class HolderState : std::uint8_t { kActive, kFinished, kMissing, kUnknown };
  HolderState holder_state(std::string_view holder, const gates::ClusterView* view, std::string& why) const;
  LeaseResult decide(const LeaseClaim& claim, const gates::ClusterView* view,
                     std::chrono::system_clock::time_point now) const;
  LeaseResult take_over(const LeaseClaim& claim, nlohmann::json lease, const std::string& from,
                        const std::string& why, std::chrono::system_clock::time_point now) const;
  nlohmann::json new_lease(const LeaseClaim& claim, std::chrono::system_clock::time_point now) const;
  LeaseResult count(LeaseResult r) const;

  const ApiClient& api_;
  std::string namespace_;
  std::string collection_;  // /apis/coordination.k8s.io/v1/namespaces/<ns>/leases
  mutable std::atomic<std::uint64_t> won_{0};
  mutable std::atomic<std::uint64_t> lost_{0};
  mutable std::atomic<std::uint64_t> errors_{0};
};

}  // namespace schemagate::k8s
