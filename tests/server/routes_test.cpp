// Routes are a pure function: every status the webhook can answer, without sockets.
#include "server/routes.hpp"

#include <catch2/catch.hpp>
#include <chrono>
#include <stdexcept>

namespace routes_test {  // per-file scope: the tests are also built as one unity TU

using namespace schemagate::server;

namespace {

// Stands in for the admission reviewer: echoes what it was asked, or throws when
// told to (the reviewer promises not to; the router must not trust that).
class FakeReviewer : public Reviewer {
 public:
  ReviewOutcome review(std::string_view body) const override {
    ++calls;
    if (body == "throw") throw std::runtime_error("boom");
    ReviewOutcome o;
    o.body = R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{"allowed":false}})";
    o.uid = "u-1";
    o.decision = "deny";
    o.fired_gates = {"lint.ban-drop-column"};
    o.finding_gates = {"lint.ban-drop-column", "lint.ban-drop-column"};
    return o;
  }
  bool ready() const override { return is_ready; }
  void append_metrics(std::string& out) const override { out += "schemagate_policy_reloads_total 3\n"; }
  bool is_ready = true;
  mutable int calls = 0;
};

struct Fixture {
  FakeReviewer reviewer;
  Metrics metrics;
  std::atomic<bool> draining{false};
  Router router{reviewer, metrics, nullptr, &draining};
  HttpResponse call(std::string_view method, std::string_view target, std::string_view type = {},
                    std::string_view body = {}) {
    return router.handle(HttpRequest{method, target, type, body});
  }
  std::string exposition() { return call("GET", "/metrics").body; }
};

}  // namespace

TEST_CASE("POST /validate answers with the reviewer's status and body", "[server][routes]") {
  Fixture f;
  auto r = f.call("POST", "/validate", "application/json", "{}");
  CHECK(r.status == 200);
  CHECK(r.content_type == "application/json");
  CHECK(r.body.find("\"allowed\":false") != std::string::npos);
  CHECK(f.reviewer.calls == 1);
  // Parameters and case of the media type do not matter.
  CHECK(f.call("POST", "/validate?timeout=10s", "Application/JSON; charset=utf-8", "{}").status == 200);
}

TEST_CASE("POST /validate refuses other content types with 415 before reviewing", "[server][routes]") {
  Fixture f;
  for (std::string_view type : {"", "text/plain", "application/jsonx", "application/x-www-form-urlencoded"}) {
    auto r = f.call("POST", "/validate", type, "{}");
    CHECK(r.status == 415);
    CHECK(r.body == R"({"error":"Content-Type must be application/json"})");
  }
  CHECK(f.reviewer.calls == 0);
}

TEST_CASE("wrong methods get 405 with Allow, unknown paths 404", "[server][routes]") {
  Fixture f;
  auto r = f.call("GET", "/validate");
  CHECK(r.status == 405);
  CHECK(r.allow == "POST");
  r = f.call("POST", "/healthz", "application/json", "{}");
  CHECK(r.status == 405);
  CHECK(r.allow == "GET");
  CHECK(f.call("DELETE", "/metrics").allow == "GET");
  CHECK(f.call("PUT", "/readyz").status == 405);
  r = f.call("GET", "/nope");
  CHECK(r.status == 404);
  CHECK(r.content_type == "application/json");
  CHECK(f.call("GET", "/validate/extra").status == 404);
}

TEST_CASE("/healthz is always ok; /readyz follows the reviewer and the drain", "[server][routes]") {
  Fixture f;
  CHECK(f.call("GET", "/healthz").status == 200);
  CHECK(f.call("GET", "/healthz").body == "ok\n");
  CHECK(f.call("GET", "/readyz").status == 200);
  f.reviewer.is_ready = false;
  CHECK(f.call("GET", "/readyz").status == 503);
  CHECK(f.call("GET", "/healthz").status == 200);
  f.reviewer.is_ready = true;
  f.draining = true;
  CHECK(f.call("GET", "/readyz").status == 503);
}

TEST_CASE("an exception escaping the reviewer becomes a 500 JSON error", "[server][routes]") {
  Fixture f;
  auto r = f.call("POST", "/validate", "application/json", "throw");
  CHECK(r.status == 500);
  CHECK(r.content_type == "application/json");
  CHECK(r.body == R"({"error":"internal error: boom"})");
  CHECK(f.exposition().find("schemagate_http_requests_total{code=\"500\"} 1\n") != std::string::npos);
}

TEST_CASE("/metrics reports reviews, findings, statuses and the reviewer's own lines", "[server][routes]") {
  Fixture f;
  f.call("POST", "/validate", "application/json", "{}");
  f.call("POST", "/validate", "application/json", "{}");
  f.call("POST", "/validate", "text/plain", "{}");
  f.call("GET", "/nope");
  auto r = f.call("GET", "/metrics");
  CHECK(r.status == 200);
  CHECK(r.content_type == "text/plain; version=0.0.4; charset=utf-8");
  const std::string& m = r.body;
  CHECK(m.find("schemagate_reviews_total{decision=\"deny\"} 2\n") != std::string::npos);
  CHECK(m.find("schemagate_reviews_total{decision=\"allow\"} 0\n") != std::string::npos);
  CHECK(m.find("schemagate_findings_total{gate=\"lint.ban-drop-column\"} 4\n") != std::string::npos);
  CHECK(m.find("schemagate_review_duration_seconds_count 2\n") != std::string::npos);
  CHECK(m.find("schemagate_http_requests_total{code=\"200\"} 2\n") != std::string::npos);
  CHECK(m.find("schemagate_http_requests_total{code=\"415\"} 1\n") != std::string::npos);
  CHECK(m.find("schemagate_http_requests_total{code=\"404\"} 1\n") != std::string::npos);
  CHECK(m.find("schemagate_policy_reloads_total 3\n") != std::string::npos);
}

TEST_CASE("error_json escapes and carries the uid", "[server][routes]") {
  CHECK(error_json("bad \"x\"") == R"({"error":"bad \"x\""})");
  CHECK(error_json("oops", "abc") == R"({"error":"oops","uid":"abc"})");
}

}  // namespace routes_test
