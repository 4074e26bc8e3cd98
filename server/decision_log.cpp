#include "server/decision_log.hpp"

#include <cmath>
#include <ctime>
#include <nlohmann/json.hpp>

namespace schemagate::server {

std::string format_utc(std::chrono::system_clock::time_point t) {
  using namespace std::chrono;
  auto ms = duration_cast<milliseconds>(t.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[96];  // room for any int fields, to satisfy -Wformat-truncation
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
  return buf;
}

std::string format_decision(const ReviewOutcome& outcome, double latency_ms,
                            std::chrono::system_clock::time_point now) {
  nlohmann::ordered_json line;
  line["time"] = format_utc(now);
  line["event"] = "review";
  line["uid"] = outcome.uid;
  line["namespace"] = outcome.namespace_name;
  line["job"] = outcome.job_name;
  line["operation"] = outcome.operation;
  line["decision"] = outcome.decision;
  line["gates"] = outcome.fired_gates;
  line["dry_run"] = outcome.dry_run;
  line["http_status"] = outcome.http_status;
  // Microsecond resolution is plenty and keeps the line short.
  line["latency_ms"] = static_cast<double>(std::llround(latency_ms * 1000.0)) / 1000.0;
  // Replace, don't throw, on invalid UTF-8 in a name copied from the request.
  return line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void EventLog::decision(const ReviewOutcome& outcome, double latency_ms) {
  write_line(format_decision(outcome, latency_ms, std::chrono::system_clock::now()));
}

void EventLog::event(std::string_view level, std::string_view message) {
  nlohmann::ordered_json line;
  line["time"] = format_utc(std::chrono::system_clock::now());
  line["level"] = level;
  line["msg"] = message;
  write_line(line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

void EventLog::write_line(std::string line) {
  line += '\n';
  std::lock_guard lock(mu_);
  std::fwrite(line.data(), 1, line.size(), sink_);
  std::fflush(sink_);
}

}  // namespace schemagate::server
