// `schemagate serve`'s HTTPS server: options and the blocking run. Beast stays in
// the .cpp files (listener, session, http_server) so this header is cheap.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include "server/reviewer.hpp"

namespace schemagate::server {

struct ServerOptions {
  std::string listen = ":8443";  // host:port or :port (all IPv4 interfaces); port 0 picks one
  std::string cert_path;
  std::string key_path;
  unsigned threads = 0;  // 0: one per hardware thread
  // The apiserver caps request bodies at 3 MiB (etcd's 1.5 MiB object limit, with
  // room for the AdmissionReview envelope); anything larger is not an admission request.
  std::uint64_t max_body_bytes = 3u << 20;
  std::size_t max_connections = 1024;
  std::chrono::milliseconds shutdown_grace{10000};
  std::chrono::milliseconds handshake_timeout{10000};
  std::chrono::milliseconds read_timeout{10000};
  std::chrono::milliseconds idle_timeout{90000};  // Go's http.Transport keeps idle connections 90 s
  std::chrono::milliseconds reload_interval{1000};
};

// Serves until SIGTERM or SIGINT, then stops accepting, lets requests in flight
// finish within the shutdown grace, closes idle connections and returns 0.
// Throws std::exception on start-up errors (bad address, certificate or key).
int serve_https(const ServerOptions& options, Reviewer& reviewer);

}  // namespace schemagate::server
