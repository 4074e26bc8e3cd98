// schemagate serve: the admission webhook over HTTPS (ARCHITECTURE.md §7).
#include <cmath>
#include <string>

#include "k8s/config.hpp"
#include "server/commands.hpp"
#include "server/flags.hpp"
#include "server/http_server.hpp"
#include "server/reviewer.hpp"

namespace schemagate::server {

namespace {

// "10", "10s", "1.5", "500ms" -> milliseconds.
std::chrono::milliseconds parse_duration(const std::string& flag, const std::string& text) {
  std::string number = text;
  double scale = 1000.0;
  if (number.size() > 2 && number.compare(number.size() - 2, 2, "ms") == 0) {
    number.resize(number.size() - 2);
    scale = 1.0;
  } else if (!number.empty() && number.back() == 's') {
    number.pop_back();
  }
  try {
    std::size_t used = 0;
    double v = std::stod(number, &used);
    if (used == number.size() && std::isfinite(v) && v >= 0 && v * scale < 1e12)
      return std::chrono::milliseconds(static_cast<long long>(v * scale));
  } catch (const std::exception&) {
  }
  throw UsageError(flag + " must be a duration such as 10, 10s or 500ms, got '" + text + "'");
}

unsigned long long parse_count(const std::string& flag, const std::string& text, unsigned long long min) {
  try {
    std::size_t used = 0;
    unsigned long long v = std::stoull(text, &used);
    if (used == text.size() && v >= min && text[0] != '-') return v;
  } catch (const std::exception&) {
  }
  throw UsageError(flag + " must be a whole number >= " + std::to_string(min) + ", got '" + text + "'");
}

}  // namespace

int cmd_serve(const Args& args) {
  Flags flags(args, {"--config", "--tls-cert", "--tls-key", "--listen", "--cluster-state", "--threads",
                     "--max-body-bytes", "--max-connections", "--shutdown-grace", "--read-timeout",
                     "--idle-timeout", "--handshake-timeout", "--kubeconfig"});
  if (!flags.positional().empty()) throw UsageError("serve takes no positional arguments");
  ServerOptions options;
  auto cert = flags.get("--tls-cert");
  auto key = flags.get("--tls-key");
  if (!cert || !key) throw UsageError("serve needs --tls-cert and --tls-key");
  auto config = flags.get("--config");
  if (!config) throw UsageError("serve needs --config (the policy file)");
  options.cert_path = *cert;
  options.key_path = *key;
  options.listen = flags.get_or("--listen", options.listen);
  if (auto v = flags.get("--threads"))
    options.threads = static_cast<unsigned>(parse_count("--threads", *v, 1));
  if (auto v = flags.get("--max-body-bytes")) options.max_body_bytes = parse_count("--max-body-bytes", *v, 1);
  if (auto v = flags.get("--max-connections"))
    options.max_connections = parse_count("--max-connections", *v, 1);
  if (auto v = flags.get("--shutdown-grace")) options.shutdown_grace = parse_duration("--shutdown-grace", *v);
  if (auto v = flags.get("--read-timeout")) options.read_timeout = parse_duration("--read-timeout", *v);
  if (auto v = flags.get("--idle-timeout")) options.idle_timeout = parse_duration("--idle-timeout", *v);
  if (auto v = flags.get("--handshake-timeout"))
    options.handshake_timeout = parse_duration("--handshake-timeout", *v);

  ReviewerConfig reviewer_config{*config, flags.get_or("--cluster-state", "")};
  reviewer_config.kubeconfig_path = flags.get_or("--kubeconfig", "");
  if (!reviewer_config.kubeconfig_path.empty() && !reviewer_config.cluster_state_path.empty())
    throw UsageError("serve takes --cluster-state or --kubeconfig, not both");
  // In a pod with neither flag, watch the cluster we run in (docs/live-cluster.md).
  reviewer_config.in_cluster = reviewer_config.kubeconfig_path.empty() &&
                               reviewer_config.cluster_state_path.empty() && k8s::in_cluster_env();
  auto reviewer = make_admission_reviewer(reviewer_config);  // throws on a bad policy or state: exit 2
  return serve_https(options, *reviewer);
}

}  // namespace schemagate::server
