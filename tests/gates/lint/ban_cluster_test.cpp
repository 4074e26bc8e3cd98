#include <catch2/catch.hpp>

#include "support/gate_test.hpp"

namespace ban_cluster_test {  // per-file scope: the tests are also built as one unity TU

using schemagate::testing::run_sql;

static const std::string kGate = "lint.ban-cluster";

TEST_CASE("ban-cluster fires on CLUSTER of an existing table") {
  auto run = run_sql("SET lock_timeout = '2s';\n  CLUSTER orders USING orders_created_at_idx;\n");
  auto found = run.of(kGate);
  REQUIRE(found.size() == 1);
  CHECK(run.positions(kGate) == std::vector<std::string>{"2:3"});
  CHECK(found[0].message ==
        "CLUSTER rewrites orders and its indexes under an ACCESS EXCLUSIVE lock on orders, which blocks all "
        "reads "
        "and writes until the rewrite ends.");
  CHECK(found[0].help ==
        "Reorder the table online with pg_repack (--order-by or --index), which holds ACCESS EXCLUSIVE only "
        "briefly to swap the copy in.");
  REQUIRE(found[0].steps.size() == 2);
  CHECK(
      found[0].steps[1] ==
      "Run pg_repack --table orders --index orders_created_at_idx outside the migration: it copies orders in "
      "index order online and swaps it in briefly.");
}

TEST_CASE("ban-cluster fires on CLUSTER without a table") {
  auto found = run_sql("CLUSTER;").of(kGate);
  REQUIRE(found.size() == 1);
  CHECK(found[0].message ==
        "CLUSTER without a table rewrites every previously clustered table in the database, each under an "
        "ACCESS "
        "EXCLUSIVE lock, which blocks all reads and writes until its rewrite ends.");
}

TEST_CASE("ban-cluster is silent for ALTER TABLE CLUSTER ON, which only marks the index") {
  CHECK(run_sql("ALTER TABLE orders CLUSTER ON orders_created_at_idx;").of(kGate).empty());
}

TEST_CASE("ban-cluster ignores a table created earlier in the same migration") {
  auto run = run_sql(
      "CREATE TABLE reports (day date);\n"
      "CREATE INDEX reports_day_idx ON reports (day);\n"
      "CLUSTER reports USING reports_day_idx;\n");
  CHECK(run.of(kGate).empty());
}

TEST_CASE("ban-cluster can be suppressed with a reason") {
  auto run = run_sql(
      "-- schemagate:ignore lint.ban-cluster rebuilt nightly while offline\n"
      "CLUSTER report_cache USING report_cache_day_idx;\n");
  CHECK(run.of(kGate).empty());
  CHECK(run.of("lint.unused-suppression").empty());
}

}  // namespace ban_cluster_test
