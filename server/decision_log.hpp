// Structured log lines on stderr: one JSON object per line. The decision line of
// a review carries who/what/verdict/latency and never SQL text or Secret values:
// the log is read by people who may not see the migrations themselves.
#pragma once

#include <chrono>
#include <cstdio>
#include <mutex>
#include <string>
#include <string_view>

#include "server/reviewer.hpp"

namespace schemagate::server {

// RFC 3339 UTC with milliseconds, e.g. 2024-05-01T12:00:00.123Z.
std::string format_utc(std::chrono::system_clock::time_point t);

// The decision line (without the trailing newline), a pure function for tests.
std::string format_decision(const ReviewOutcome& outcome, double latency_ms,
                            std::chrono::system_clock::time_point now);

class EventLog {
 public:
  explicit EventLog(std::FILE* sink) : sink_(sink) {}
  void decision(const ReviewOutcome& outcome, double latency_ms);
  // An operational event: {"time", "level", "msg"}.
  void event(std::string_view level, std::string_view message);

 private:
  void write_line(std::string line);
  std::FILE* sink_;
  std::mutex mu_;  // one line per write: lines from worker threads never interleave
};

}  // namespace schemagate::server
