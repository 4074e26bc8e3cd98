#include <catch2/catch.hpp>

#include "support/gate_test.hpp"

namespace require_concurrent_index_drop_test {  // per-file scope: the tests are also built as one unity TU

using schemagate::testing::run_files;
using schemagate::testing::run_sql;

static const std::string kGate = "lint.require-concurrent-index-drop";

TEST_CASE("require-concurrent-index-drop fires on DROP INDEX of an existing index") {
  auto run = run_sql("SET lock_timeout = '2s';\nDROP INDEX orders_customer_idx;\n");
  auto found = run.of(kGate);
  REQUIRE(found.size() == 1);
  CHECK(run.positions(kGate) == std::vector<std::string>{"2:1"});
  CHECK(found[0].message ==
        "DROP INDEX orders_customer_idx takes an ACCESS EXCLUSIVE lock on its table: it blocks all reads and "
        "writes on its table while it waits for running queries and drops the index.");
  CHECK(
      found[0].help ==
      "Drop orders_customer_idx with DROP INDEX CONCURRENTLY, in a migration of its own that runs outside a "
      "transaction.");
  REQUIRE(found[0].steps.size() == 2);
  CHECK(found[0].steps[1] ==
        "Write it as DROP INDEX CONCURRENTLY IF EXISTS orders_customer_idx; (one index per statement, no "
        "CASCADE).");
  CHECK(run.verdict.decision == schemagate::gates::Decision::kDeny);
}

TEST_CASE("require-concurrent-index-drop names the table when the set created the index") {
  auto run =
      run_files({{"001_idx.up.sql", "CREATE INDEX CONCURRENTLY orders_customer_idx ON orders (customer_id);"},
                 {"002_drop.up.sql", "DROP INDEX billing.orders_customer_idx;"}});
  auto found = run.of(kGate);
  REQUIRE(found.size() == 1);
  CHECK(
      found[0].message ==
      "DROP INDEX billing.orders_customer_idx takes an ACCESS EXCLUSIVE lock on orders: it blocks all reads "
      "and writes on orders while it waits for running queries and drops the index.");
}

TEST_CASE("require-concurrent-index-drop is silent for DROP INDEX CONCURRENTLY") {
  CHECK(run_sql("DROP INDEX CONCURRENTLY IF EXISTS orders_customer_idx;").of(kGate).empty());
  CHECK(run_sql("DROP TABLE orders;").of(kGate).empty());
}

TEST_CASE("require-concurrent-index-drop ignores an index created earlier in the same migration") {
  auto run = run_sql(
      "CREATE INDEX orders_tmp_idx ON orders (id);\n"
      "DROP INDEX orders_tmp_idx;\n");
  CHECK(run.of(kGate).empty());
}

TEST_CASE("require-concurrent-index-drop can be suppressed with a reason") {
  auto run = run_sql(
      "-- schemagate:ignore lint.require-concurrent-index-drop only a nightly batch reads orders\n"
      "DROP INDEX orders_customer_idx;\n");
  CHECK(run.of(kGate).empty());
  CHECK(run.of("lint.unused-suppression").empty());
}

}  // namespace require_concurrent_index_drop_test
