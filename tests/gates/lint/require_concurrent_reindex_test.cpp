#include <catch2/catch.hpp>

#include "support/gate_test.hpp"

namespace require_concurrent_reindex_test {  // per-file scope: the tests are also built as one unity TU

using schemagate::testing::run_sql;

static const std::string kGate = "lint.require-concurrent-reindex";

TEST_CASE("require-concurrent-reindex fires on REINDEX TABLE") {
  auto run = run_sql("SELECT 1;\n  REINDEX TABLE orders;\n");
  auto found = run.of(kGate);
  REQUIRE(found.size() == 1);
  CHECK(run.positions(kGate) == std::vector<std::string>{"2:3"});
  CHECK(found[0].message ==
        "REINDEX TABLE orders takes a SHARE lock on orders and an ACCESS EXCLUSIVE lock on each of its "
        "indexes: "
        "writes to orders, and reads that use an index, block until every index is rebuilt.");
  CHECK(found[0].help ==
        "Rebuild with REINDEX TABLE CONCURRENTLY orders, in a migration of its own that runs outside a "
        "transaction.");
  REQUIRE(found[0].steps.size() == 3);
  CHECK(found[0].steps[1] == "Write it as REINDEX TABLE CONCURRENTLY orders;");
}

TEST_CASE("require-concurrent-reindex fires on REINDEX INDEX and REINDEX SCHEMA") {
  auto run = run_sql("REINDEX INDEX orders_customer_idx;\nREINDEX SCHEMA billing;\nREINDEX SYSTEM app;\n");
  auto found = run.of(kGate);
  REQUIRE(found.size() == 3);
  CHECK(found[0].message ==
        "REINDEX INDEX orders_customer_idx takes a SHARE lock on its table and an ACCESS EXCLUSIVE lock on "
        "orders_customer_idx: writes to its table, and reads that use the index, block until the rebuild "
        "ends.");
  CHECK(found[1].message ==
        "REINDEX SCHEMA billing rebuilds every index it covers, taking a SHARE lock on each table and an "
        "ACCESS "
        "EXCLUSIVE lock on each index: writes, and reads that use an index, block table by table.");
  CHECK(found[1].steps[1] ==
        "Write it as REINDEX SCHEMA CONCURRENTLY billing; (system catalogs are skipped).");
  CHECK(found[2].help ==
        "Rebuild system catalogs (or, before PostgreSQL 12, whole schemas) in a maintenance window, not in a "
        "migration.");
}

TEST_CASE("require-concurrent-reindex before PostgreSQL 12 suggests a replacement index") {
  schemagate::testing::RunOptions opts;
  opts.pg_major = 11;
  auto found = run_sql("REINDEX INDEX orders_customer_idx;", opts).of(kGate);
  REQUIRE(found.size() == 1);
  CHECK(
      found[0].help ==
      "Before PostgreSQL 12, build a replacement with CREATE INDEX CONCURRENTLY and drop the old index with "
      "DROP INDEX CONCURRENTLY instead of REINDEX INDEX orders_customer_idx.");
}

TEST_CASE("require-concurrent-reindex is silent for REINDEX CONCURRENTLY") {
  CHECK(run_sql("REINDEX TABLE CONCURRENTLY orders;").of(kGate).empty());
  CHECK(run_sql("REINDEX (VERBOSE, CONCURRENTLY) INDEX orders_customer_idx;").of(kGate).empty());
}

TEST_CASE("require-concurrent-reindex ignores a table created earlier in the same migration") {
  auto run = run_sql("CREATE TABLE invoices (id bigint PRIMARY KEY);\nREINDEX TABLE invoices;\n");
  CHECK(run.of(kGate).empty());
}

TEST_CASE("require-concurrent-reindex can be suppressed with a reason") {
  auto run = run_sql(
      "-- schemagate:ignore lint.require-concurrent-reindex lookup table with 12 rows\n"
      "REINDEX TABLE countries;\n");
  CHECK(run.of(kGate).empty());
  CHECK(run.of("lint.unused-suppression").empty());
}

}  // namespace require_concurrent_reindex_test
