// A small synchronous Kubernetes REST client (ARCHITECTURE.md §1, §8): HTTPS (or
// plain HTTP for tests) on Beast + OpenSSL, keep-alive connections pooled per
// client, every step under a timeout, the server certificate verified against the
// configured CA (host name or IP SAN). Used by the informers and by the Lease lock.
//
// The request path never throws: transport failures come back as status_code 0 with
// `error` set, and API failures as their HTTP code with the Status object in `body`.
// Thread-safe: any number of threads may call one client at once.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <stop_token>
#include <string>
#include <string_view>

#include "k8s/config.hpp"

namespace schemagate::k8s {

struct ApiResponse {
  // The HTTP status; 0 when no answer was received (connect, TLS, timeout, reset).
  int status_code = 0;
  // The parsed JSON answer: the object, the list, or a Status for errors. Null when
  // the body was empty or not JSON (see `error`).
  nlohmann::json body;
  // Transport error or JSON parse error; empty otherwise.
  std::string error;

  bool ok() const { return status_code >= 200 && status_code < 300; }
  // Status.reason ("NotFound", "Conflict", "Expired", ...) when the body is a Status.
  std::string reason() const;
  // One line for logs: "409 Conflict: <Status.message>" or "transport: <error>".
  std::string describe() const;
};

struct ListOptions {
  std::string label_selector;
  std::string field_selector;
  std::string resource_version;  // "" (a quorum read) or "0" (any cached state) or an RV
  std::int64_t limit = 0;        // 0: no paging
  std::string continue_token;
};

struct WatchOptions {
  std::string label_selector;
  std::string field_selector;
  std::string resource_version;  // watch strictly after this RV
  bool allow_bookmarks = true;
  int timeout_seconds = 300;  // server ends the stream cleanly after this
};

struct WatchEvent {
  std::string type;  // ADDED MODIFIED DELETED BOOKMARK ERROR
  nlohmann::json object;
};

struct WatchResult {
  // 200 when the stream was established (it then ended: timeout, close, stop);
  // the HTTP code when the server refused the watch (e.g. 410, 401, 503);
  // 0 when no answer was received or the stream broke (see `error`).
  int status_code = 0;
  nlohmann::json body;   // the Status when status_code is not 200
  std::string error;     // transport error, or empty on a clean end
  bool stopped = false;  // the stop token fired or on_event returned false
  std::uint64_t events = 0;
};

struct ApiClientOptions {
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds handshake_timeout{5000};
  // Whole request: write + read of the answer. Lists of 500 items are small.
  std::chrono::milliseconds request_timeout{30000};
  // A watch that delivers nothing (no event, no bookmark) for this long is dead:
  // bookmarks arrive about once a minute on a real apiserver, so twice that.
  std::chrono::milliseconds watch_idle_timeout{150000};
  std::uint64_t max_body_bytes = 64u << 20;   // one list page or object
  std::uint64_t max_event_bytes = 16u << 20;  // one watch event line
  std::size_t max_idle_connections = 8;
  std::string user_agent = "schemagate";
};

class ApiClient {
 public:
  virtual ~ApiClient() = default;

  // `path` is the API path, e.g. "/api/v1/namespaces/x" or
  // "/apis/coordination.k8s.io/v1/namespaces/ns/leases/name"; it may carry a query.
  virtual ApiResponse get(std::string_view path) const = 0;
  virtual ApiResponse list(std::string_view path, const ListOptions& options) const = 0;
  // POST the object to the collection path; 201 on success, 409 when it exists.
  virtual ApiResponse create(std::string_view path, const nlohmann::json& object) const = 0;
  // PUT the object to its path; 409 Conflict when metadata.resourceVersion is stale.
  virtual ApiResponse update(std::string_view path, const nlohmann::json& object) const = 0;
  // DELETE the object; `preconditions` (may be null) is sent as DeleteOptions.preconditions.
  virtual ApiResponse remove(std::string_view path, const nlohmann::json& preconditions) const = 0;

  // Streams a watch on the collection `path`: calls on_event for each event line in
  // order, on the calling thread. Returns when the server ends the stream, the
  // connection breaks, on_event returns false, or `stop` is requested (checked at
  // least every 250 ms while waiting for data).
  virtual WatchResult watch(std::string_view path, const WatchOptions& options,
                            const std::function<bool(WatchEvent&&)>& on_event,
                            std::stop_token stop) const = 0;

  // The namespace of the pod or kubeconfig context (for Leases).
  virtual const std::string& default_namespace() const = 0;
  // The server URL (for log lines).
  virtual const std::string& server() const = 0;
};

// Builds the client; throws std::runtime_error at start-up on a bad server URL,
// CA, client certificate or key.
std::unique_ptr<ApiClient> make_api_client(const ClusterConfig& config, const ApiClientOptions& options = {});

}  // namespace schemagate::k8s
