// Prometheus counters of the HTTPS edge (text exposition format 0.0.4). Every
// update is a relaxed atomic increment except the per-gate map, which takes a
// mutex only when a review reported findings: /validate must stay cheap.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace schemagate::server {

class Metrics {
 public:
  // Upper bounds of schemagate_review_duration_seconds: a review is expected to
  // take well under a millisecond, a second is already a failure of the webhook
  // (the apiserver's default webhook timeout is 10 s).
  static constexpr std::array<double, 13> kDurationBuckets = {
      0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0};

  void count_review(std::string_view decision, const std::vector<std::string>& finding_gates, double seconds);
  void count_http(int status);
  void count_rejected_connection() { rejected_.fetch_add(1, std::memory_order_relaxed); }
  void count_tls_reload(bool ok) { (ok ? tls_ok_ : tls_failed_).fetch_add(1, std::memory_order_relaxed); }
  void connection_opened() { active_.fetch_add(1, std::memory_order_relaxed); }
  void connection_closed() { active_.fetch_sub(1, std::memory_order_relaxed); }
  std::int64_t active_connections() const { return active_.load(std::memory_order_relaxed); }

  // Appends the exposition text of every metric above.
  void render(std::string& out) const;

 private:
  static constexpr std::array<std::string_view, 4> kDecisions = {"allow", "deny", "skip", "error"};
  std::array<std::atomic<std::uint64_t>, kDecisions.size()> decisions_{};
  std::array<std::atomic<std::uint64_t>, kDurationBuckets.size() + 1> buckets_{};  // last: +Inf only
  std::atomic<std::uint64_t> duration_sum_ns_{0};
  std::array<std::atomic<std::uint64_t>, 600> http_{};  // indexed by status code 100..599
  std::atomic<std::uint64_t> rejected_{0};
  std::atomic<std::uint64_t> tls_ok_{0};
  std::atomic<std::uint64_t> tls_failed_{0};
  std::atomic<std::int64_t> active_{0};
  mutable std::mutex gates_mu_;
  std::map<std::string, std::uint64_t, std::less<>> gates_;
};

}  // namespace schemagate::server
