#include <catch2/catch.hpp>

#include "support/gate_test.hpp"

namespace require_concurrent_detach_test {  // per-file scope: the tests are also built as one unity TU

using schemagate::testing::run_sql;

static const std::string kGate = "lint.require-concurrent-detach";

TEST_CASE("require-concurrent-detach fires on DETACH PARTITION without CONCURRENTLY") {
  auto run = run_sql("SELECT 1;\n  ALTER TABLE events DETACH PARTITION events_2020;\n");
  auto found = run.of(kGate);
  REQUIRE(found.size() == 1);
  CHECK(run.positions(kGate) == std::vector<std::string>{"2:3"});
  CHECK(
      found[0].message ==
      "DETACH PARTITION events_2020 holds an ACCESS EXCLUSIVE lock on events: it blocks all reads and writes "
      "on events and all its partitions until it ends.");
  CHECK(found[0].help ==
        "Detach events_2020 with DETACH PARTITION ... CONCURRENTLY, in a migration of its own that runs "
        "outside "
        "a transaction.");
  REQUIRE(found[0].steps.size() == 3);
  CHECK(found[0].steps[1] == "Write it as ALTER TABLE events DETACH PARTITION events_2020 CONCURRENTLY;");
  CHECK(run.verdict.decision == schemagate::gates::Decision::kDeny);
}

TEST_CASE("require-concurrent-detach before PostgreSQL 14 says there is no concurrent way") {
  schemagate::testing::RunOptions opts;
  opts.pg_major = 13;
  auto found = run_sql("ALTER TABLE events DETACH PARTITION events_2020;", opts).of(kGate);
  REQUIRE(found.size() == 1);
  CHECK(
      found[0].help ==
      "Before PostgreSQL 14 a partition cannot be detached concurrently: detach events_2020 in a maintenance "
      "window with a short lock_timeout.");
}

TEST_CASE("require-concurrent-detach is silent for CONCURRENTLY and FINALIZE") {
  CHECK(run_sql("ALTER TABLE events DETACH PARTITION events_2020 CONCURRENTLY;").of(kGate).empty());
  CHECK(run_sql("ALTER TABLE events DETACH PARTITION events_2020 FINALIZE;").of(kGate).empty());
}

TEST_CASE("require-concurrent-detach ignores a table created earlier in the same migration") {
  auto run = run_sql(
      "CREATE TABLE logs (at date) PARTITION BY RANGE (at);\n"
      "ALTER TABLE logs DETACH PARTITION logs_2020;\n");
  CHECK(run.of(kGate).empty());
}

TEST_CASE("require-concurrent-detach can be suppressed with a reason") {
  auto run = run_sql(
      "-- schemagate:ignore lint.require-concurrent-detach PostgreSQL 13, maintenance window\n"
      "ALTER TABLE events DETACH PARTITION events_2020;\n");
  CHECK(run.of(kGate).empty());
  CHECK(run.of("lint.unused-suppression").empty());
}

}  // namespace require_concurrent_detach_test
