// The request handler: a pure function from an HTTP request to an HTTP response,
// with no sockets, so every route is tested without a server (tests/server/routes_test.cpp).
#pragma once

#include <atomic>
#include <string>
#include <string_view>

#include "server/decision_log.hpp"
#include "server/metrics.hpp"
#include "server/reviewer.hpp"

namespace schemagate::server {

struct HttpRequest {
  std::string_view method;        // "GET", "POST", ...
  std::string_view target;        // path and query
  std::string_view content_type;  // the Content-Type header, empty when absent
  std::string_view body;
};

struct HttpResponse {
  int status = 200;
  std::string content_type;
  std::string body;
  std::string allow;  // the Allow header of a 405
};

class Router {
 public:
  // `log` may be null (tests). `draining`, when set, makes /readyz answer 503 so the
  // Service stops sending new reviews while the process finishes what it has.
  Router(const Reviewer& reviewer, Metrics& metrics, EventLog* log,
         const std::atomic<bool>* draining = nullptr)
      : reviewer_(reviewer), metrics_(metrics), log_(log), draining_(draining) {}

  // Never throws: anything escaping a route becomes a 500 with a JSON error that
  // keeps the request's uid when it can be read. Counts the response status.
  HttpResponse handle(const HttpRequest& request) const;

 private:
  HttpResponse route(const HttpRequest& request) const;
  HttpResponse validate(const HttpRequest& request) const;
  HttpResponse metrics() const;

  const Reviewer& reviewer_;
  Metrics& metrics_;
  EventLog* log_;
  const std::atomic<bool>* draining_;
};

// True for "application/json", any case, with or without parameters (charset=...).
bool is_json_content_type(std::string_view content_type);

// {"error": message} (plus "uid" when not empty).
std::string error_json(std::string_view message, std::string_view uid = {});

}  // namespace schemagate::server
