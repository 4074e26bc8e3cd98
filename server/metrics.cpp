#include "server/metrics.hpp"

#include <cstdio>

namespace schemagate::server {

namespace {

void header(std::string& out, const char* name, const char* type, const char* help) {
  out += "# HELP ";
  out += name;
  out += ' ';
  out += help;
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
}

void sample(std::string& out, std::string_view name, std::string_view labels, std::uint64_t value) {
  out += name;
  out += labels;
  out += ' ';
  out += std::to_string(value);
  out += '\n';
}

std::string format_double(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

// Label values are gate ids and fixed words today; escape anyway so a strange id
// cannot break the exposition format.
std::string escape_label(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

void Metrics::count_review(std::string_view decision, const std::vector<std::string>& finding_gates,
                           double seconds) {
  std::size_t d = kDecisions.size() - 1;  // anything unexpected counts as an error
  for (std::size_t i = 0; i < kDecisions.size(); ++i) {
    if (kDecisions[i] == decision) d = i;
  }
  decisions_[d].fetch_add(1, std::memory_order_relaxed);
  std::size_t b = 0;
  while (b < kDurationBuckets.size() && seconds > kDurationBuckets[b])
    ++b;
  buckets_[b].fetch_add(1, std::memory_order_relaxed);
  if (seconds > 0)
    duration_sum_ns_.fetch_add(static_cast<std::uint64_t>(seconds * 1e9), std::memory_order_relaxed);
  if (!finding_gates.empty()) {
    std::lock_guard lock(gates_mu_);
    for (const auto& g : finding_gates) {
      auto it = gates_.find(g);
      if (it == gates_.end()) it = gates_.emplace(g, 0).first;
      ++it->second;
    }
  }
}

void Metrics::count_http(int status) {
  if (status < 100 || status >= static_cast<int>(http_.size())) status = 500;
  http_[static_cast<std::size_t>(status)].fetch_add(1, std::memory_order_relaxed);
}

void Metrics::render(std::string& out) const {
  header(out, "schemagate_reviews_total", "counter", "AdmissionReviews answered, by decision.");
  for (std::size_t i = 0; i < kDecisions.size(); ++i) {
    sample(out, "schemagate_reviews_total", "{decision=\"" + std::string(kDecisions[i]) + "\"}",
           decisions_[i].load(std::memory_order_relaxed));
  }

  header(out, "schemagate_findings_total", "counter", "Findings reported, by gate id.");
  {
    std::lock_guard lock(gates_mu_);
    for (const auto& [gate, n] : gates_)
      sample(out, "schemagate_findings_total", "{gate=\"" + escape_label(gate) + "\"}", n);
  }

  header(out, "schemagate_review_duration_seconds", "histogram",
         "Time spent in the reviewer per /validate request.");
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < kDurationBuckets.size(); ++i) {
    cumulative += buckets_[i].load(std::memory_order_relaxed);
    sample(out, "schemagate_review_duration_seconds_bucket",
           "{le=\"" + format_double(kDurationBuckets[i]) + "\"}", cumulative);
  }
  cumulative += buckets_.back().load(std::memory_order_relaxed);
  sample(out, "schemagate_review_duration_seconds_bucket", "{le=\"+Inf\"}", cumulative);
  out += "schemagate_review_duration_seconds_sum ";
  out += format_double(static_cast<double>(duration_sum_ns_.load(std::memory_order_relaxed)) / 1e9);
  out += '\n';
  sample(out, "schemagate_review_duration_seconds_count", "", cumulative);

  header(out, "schemagate_http_requests_total", "counter", "HTTP responses sent, by status code.");
  for (std::size_t code = 100; code < http_.size(); ++code) {
    if (std::uint64_t n = http_[code].load(std::memory_order_relaxed))
      sample(out, "schemagate_http_requests_total", "{code=\"" + std::to_string(code) + "\"}", n);
  }

  header(out, "schemagate_connections_rejected_total", "counter",
         "Connections closed at once because --max-connections were open.");
  sample(out, "schemagate_connections_rejected_total", "", rejected_.load(std::memory_order_relaxed));

  header(out, "schemagate_connections_active", "gauge", "Open client connections.");
  out += "schemagate_connections_active " + std::to_string(active_.load(std::memory_order_relaxed)) + "\n";

  header(out, "schemagate_tls_reloads_total", "counter",
         "Certificate/key reloads after the files changed, by result.");
  sample(out, "schemagate_tls_reloads_total", "{result=\"success\"}",
         tls_ok_.load(std::memory_order_relaxed));
  sample(out, "schemagate_tls_reloads_total", "{result=\"failure\"}",
         tls_failed_.load(std::memory_order_relaxed));
}

}  // namespace schemagate::server
