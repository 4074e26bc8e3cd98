// The exposition text (Prometheus 0.0.4) and the decision log line.
#include "server/metrics.hpp"

#include <catch2/catch.hpp>
#include <sstream>
#include <thread>
#include <vector>

#include "server/decision_log.hpp"

namespace metrics_test {  // per-file scope: the tests are also built as one unity TU

using namespace schemagate::server;

namespace {

bool has_line(const std::string& text, const std::string& line) {
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) {
    if (l == line) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("every metric family is declared with HELP and TYPE, zeros included", "[server][metrics]") {
  Metrics m;
  std::string out;
  m.render(out);
  CHECK(has_line(out, "# TYPE schemagate_reviews_total counter"));
  CHECK(has_line(out, "# TYPE schemagate_findings_total counter"));
  CHECK(has_line(out, "# TYPE schemagate_review_duration_seconds histogram"));
  CHECK(has_line(out, "# TYPE schemagate_http_requests_total counter"));
  CHECK(has_line(out, "# TYPE schemagate_connections_rejected_total counter"));
  CHECK(has_line(out, "# TYPE schemagate_tls_reloads_total counter"));
  CHECK(has_line(out, "schemagate_reviews_total{decision=\"error\"} 0"));
  CHECK(has_line(out, "schemagate_connections_rejected_total 0"));
  CHECK(has_line(out, "schemagate_tls_reloads_total{result=\"failure\"} 0"));
  CHECK(has_line(out, "schemagate_review_duration_seconds_bucket{le=\"0.0001\"} 0"));
  CHECK(has_line(out, "schemagate_review_duration_seconds_bucket{le=\"1\"} 0"));
  CHECK(has_line(out, "schemagate_review_duration_seconds_bucket{le=\"+Inf\"} 0"));
  CHECK(out.back() == '\n');
}

TEST_CASE("the duration histogram is cumulative with an exact sum", "[server][metrics]") {
  Metrics m;
  m.count_review("allow", {}, 0.00005);  // first bucket
  m.count_review("allow", {}, 0.0003);   // le=0.0005
  m.count_review("deny", {"g.a"}, 0.002);
  m.count_review("weird", {}, 5.0);  // beyond 1 s: +Inf only; unknown decisions count as error
  std::string out;
  m.render(out);
  CHECK(has_line(out, "schemagate_review_duration_seconds_bucket{le=\"0.0001\"} 1"));
  CHECK(has_line(out, "schemagate_review_duration_seconds_bucket{le=\"0.00025\"} 1"));
  CHECK(has_line(out, "schemagate_review_duration_seconds_bucket{le=\"0.0005\"} 2"));
  CHECK(has_line(out, "schemagate_review_duration_seconds_bucket{le=\"0.0025\"} 3"));
  CHECK(has_line(out, "schemagate_review_duration_seconds_bucket{le=\"1\"} 3"));
  CHECK(has_line(out, "schemagate_review_duration_seconds_bucket{le=\"+Inf\"} 4"));
  CHECK(has_line(out, "schemagate_review_duration_seconds_count 4"));
  CHECK(has_line(out, "schemagate_review_duration_seconds_sum 5.00235"));
  CHECK(has_line(out, "schemagate_reviews_total{decision=\"allow\"} 2"));
  CHECK(has_line(out, "schemagate_reviews_total{decision=\"error\"} 1"));
  CHECK(has_line(out, "schemagate_findings_total{gate=\"g.a\"} 1"));
}

TEST_CASE("counters are exact under concurrent updates", "[server][metrics]") {
  Metrics m;
  std::vector<std::thread> threads;
  threads.reserve(4);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&m] {
      for (int i = 0; i < 5000; ++i) {
        m.count_review("deny", {"g.x", "g.y"}, 0.0002);
        m.count_http(200);
      }
      m.count_rejected_connection();
      m.count_tls_reload(true);
    });
  }
  for (auto& t : threads)
    t.join();
  std::string out;
  m.render(out);
  CHECK(has_line(out, "schemagate_reviews_total{decision=\"deny\"} 20000"));
  CHECK(has_line(out, "schemagate_findings_total{gate=\"g.x\"} 20000"));
  CHECK(has_line(out, "schemagate_http_requests_total{code=\"200\"} 20000"));
  CHECK(has_line(out, "schemagate_connections_rejected_total 4"));
  CHECK(has_line(out, "schemagate_tls_reloads_total{result=\"success\"} 4"));
}

TEST_CASE("out-of-range status codes count as 500", "[server][metrics]") {
  Metrics m;
  m.count_http(42);
  m.count_http(777);
  std::string out;
  m.render(out);
  CHECK(has_line(out, "schemagate_http_requests_total{code=\"500\"} 2"));
}

TEST_CASE("the decision line names who, what and the verdict, never SQL", "[server][decision-log]") {
  ReviewOutcome o;
  o.uid = "705ab4f5-6393-11e8-b7cc-42010a800002";
  o.namespace_name = "tenant-a";
  o.job_name = "migrate-42";
  o.operation = "CREATE";
  o.decision = "deny";
  o.fired_gates = {"lint.ban-drop-column", "job.require-active-deadline"};
  o.dry_run = true;
  o.body = R"({"response":{"status":{"message":"ALTER TABLE orders DROP COLUMN secret"}}})";
  auto t = std::chrono::system_clock::time_point(std::chrono::milliseconds(1714564800123));
  std::string line = format_decision(o, 0.4567891, t);
  CHECK(line ==
        R"({"time":"2024-05-01T12:00:00.123Z","event":"review","uid":"705ab4f5-6393-11e8-b7cc-42010a800002",)"
        R"("namespace":"tenant-a","job":"migrate-42","operation":"CREATE","decision":"deny",)"
        R"("gates":["lint.ban-drop-column","job.require-active-deadline"],"dry_run":true,"http_status":200,)"
        R"("latency_ms":0.457})");
  CHECK(line.find("DROP COLUMN") == std::string::npos);
}

}  // namespace metrics_test
