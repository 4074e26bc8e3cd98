#include <catch2/catch.hpp>

#include "support/gate_test.hpp"

namespace ban_truncate_test {  // per-file scope: the tests are also built as one unity TU

using schemagate::testing::run_sql;

static const std::string kGate = "lint.ban-truncate";

TEST_CASE("ban-truncate fires on TRUNCATE of an existing table") {
  auto run = run_sql("BEGIN;\n  TRUNCATE TABLE audit_events;\nCOMMIT;\n");
  auto found = run.of(kGate);
  REQUIRE(found.size() == 1);
  CHECK(run.positions(kGate) == std::vector<std::string>{"2:3"});
  CHECK(found[0].message ==
        "TRUNCATE audit_events deletes every row of audit_events for good and holds an ACCESS EXCLUSIVE lock "
        "on "
        "audit_events that blocks all reads and writes.");
  CHECK(found[0].help ==
        "Delete only the rows that must go, in batches with DELETE ... WHERE, or truncate by hand in a "
        "maintenance "
        "window after a backup.");
  CHECK(found[0].steps.size() == 3);
}

TEST_CASE("ban-truncate names the cascade to referencing tables") {
  auto run = run_sql("TRUNCATE orders CASCADE;");
  auto found = run.of(kGate);
  REQUIRE(found.size() == 1);
  CHECK(found[0].message ==
        "TRUNCATE orders CASCADE deletes every row of orders and also empties every table that references it "
        "through a foreign key, each under an ACCESS EXCLUSIVE lock.");
  REQUIRE(found[0].steps.size() == 4);
  CHECK(
      found[0].steps[0] ==
      "Drop CASCADE and list every table to empty explicitly: TRUNCATE orders, <referencing tables>; so the "
      "review sees each of them.");
}

TEST_CASE("ban-truncate is silent for a table created earlier in the same script, unless CASCADE") {
  auto run = run_sql("CREATE TABLE staging (id bigint);\nTRUNCATE staging;\n");
  CHECK(run.of(kGate).empty());
  auto cascade = run_sql("CREATE TABLE staging (id bigint);\nTRUNCATE staging CASCADE;\n");
  CHECK(cascade.positions(kGate) == std::vector<std::string>{"2:1"});
}

TEST_CASE("ban-truncate is silent for a DELETE with WHERE") {
  CHECK(run_sql("DELETE FROM audit_events WHERE id < 100;").of(kGate).empty());
}

TEST_CASE("ban-truncate reports each existing table of one statement") {
  auto run = run_sql("TRUNCATE a, b;");
  CHECK(run.of(kGate).size() == 2);
}

TEST_CASE("ban-truncate can be suppressed with a reason") {
  auto run = run_sql(
      "-- schemagate:ignore lint.ban-truncate staging table refilled nightly\nTRUNCATE import_staging;\n");
  CHECK(run.of(kGate).empty());
  CHECK(run.of("lint.unused-suppression").empty());
}

}  // namespace ban_truncate_test
