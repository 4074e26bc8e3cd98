// Where the apiserver is and how to authenticate to it (ARCHITECTURE.md §1): from the
// pod's service account (in-cluster) or from a kubeconfig file. Loading throws at
// start-up with a message naming the file and the field; nothing here runs per request.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

namespace schemagate::k8s {

// A bearer token that may live in a file which rotates: projected service-account
// tokens are replaced by the kubelet (at 80% of their lifetime, by default about
// every 48 minutes), so the file is re-read when its mtime/size changes, at most
// once per `recheck` (client-go re-reads once a minute; we check more often since a
// stat is cheap). A token given inline never changes.
class BearerToken {
 public:
  BearerToken() = default;
  static std::shared_ptr<BearerToken> inline_token(std::string token);
  // Reads the file now; throws std::runtime_error naming `field` when it cannot.
  static std::shared_ptr<BearerToken> from_file(std::string path, const std::string& field);

  // The current token; empty when none. Never throws: a file that became
  // unreadable keeps the last good token (the apiserver will say 401 if it expired).
  std::string current();
  const std::string& path() const { return path_; }

 private:
  std::mutex mu_;
  std::string path_;
  std::string token_;
  std::int64_t mtime_ns_ = 0;
  std::int64_t size_ = -1;
  std::chrono::steady_clock::time_point checked_{};
};

struct ClusterConfig {
  std::string server;           // "https://host:port" or "http://host:port" (tests)
  std::string tls_server_name;  // kubeconfig tls-server-name: SNI/hostname to verify instead of the URL's
  std::string ca_pem;           // CA bundle (PEM); empty: the system's default verify paths
  bool insecure_skip_tls_verify = false;
  std::shared_ptr<BearerToken> token;  // null: no bearer token
  std::string client_cert_pem;         // client certificate (PEM), with client_key_pem
  std::string client_key_pem;
  std::string namespace_name = "default";  // the pod's (or the context's) namespace
  std::string source;                      // "in-cluster" or the kubeconfig path, for log lines
};

inline constexpr const char* kServiceAccountDir = "/var/run/secrets/kubernetes.io/serviceaccount";

// True when KUBERNETES_SERVICE_HOST is set (we run in a pod).
bool in_cluster_env();

// In-cluster config: https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT, the
// service account's ca.crt and token (re-read as it rotates), namespace from
// POD_NAMESPACE or the namespace file. `sa_dir` is overridable for tests.
// Throws std::runtime_error naming the variable or file that is missing.
ClusterConfig load_in_cluster_config(const std::string& sa_dir = kServiceAccountDir);

// Kubeconfig: `context` (empty: current-context) -> cluster + user. Supports server,
// certificate-authority(-data), insecure-skip-tls-verify, tls-server-name, token,
// tokenFile, client-certificate(-data), client-key(-data), and the context's
// namespace. Relative file paths are relative to the kubeconfig's directory.
// Throws std::runtime_error "<path>: <field>: <problem>".
ClusterConfig load_kubeconfig(const std::string& path, const std::string& context = "");

}  // namespace schemagate::k8s
