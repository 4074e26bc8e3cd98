// In-process review cost: the very Reviewer `serve` uses, called N times on one
// AdmissionReview (no sockets, no TLS), for profiling (valgrind --tool=callgrind)
// and for the per-review CPU figure in docs/benchmarks.md.
// Usage: bench_review_loop POLICY CLUSTER_STATE REVIEW_JSON [N]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "server/reviewer.hpp"

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: %s POLICY CLUSTER_STATE REVIEW_JSON [N]\n", argv[0]);
    return 2;
  }
  std::ifstream in(argv[3]);
  std::stringstream body;
  body << in.rdbuf();
  int n = argc > 4 ? std::atoi(argv[4]) : 10000;
  auto reviewer = schemagate::server::make_admission_reviewer({argv[1], argv[2]});
  std::string text = body.str();
  auto first = reviewer->review(text);  // cold: parses and memoizes
  auto t0 = std::chrono::steady_clock::now();
  std::size_t bytes = 0;
  for (int i = 0; i < n; ++i)
    bytes += reviewer->review(text).body.size();
  auto t1 = std::chrono::steady_clock::now();
  double us = std::chrono::duration<double, std::micro>(t1 - t0).count() / n;
  std::printf("decision %s; %d warm reviews: %.1f us each (reply %zu bytes)\n", first.decision.c_str(), n, us,
              bytes / static_cast<std::size_t>(n));
  return 0;
}
