#include <catch2/catch.hpp>

#include "support/gate_test.hpp"

namespace ban_drop_table_test {  // per-file scope: the tests are also built as one unity TU

using schemagate::testing::run_sql;

static const std::string kGate = "lint.ban-drop-table";

TEST_CASE("ban-drop-table fires on DROP TABLE of an existing table") {
  auto run = run_sql("SET lock_timeout = '2s';\n  DROP TABLE IF EXISTS legacy_orders;\n");
  auto found = run.of(kGate);
  REQUIRE(found.size() == 1);
  CHECK(run.positions(kGate) == std::vector<std::string>{"2:3"});
  CHECK(found[0].message ==
        "Dropping table legacy_orders deletes its rows for good and takes an ACCESS EXCLUSIVE lock on "
        "legacy_orders; code that still uses legacy_orders fails.");
  CHECK(
      found[0].help ==
      "Remove every use of legacy_orders from the code and deploy that first, then drop the table in a later "
      "migration.");
  REQUIRE(found[0].steps.size() == 4);
  CHECK(found[0].steps[2] == "Keep a copy if the data may be needed again: pg_dump --table=legacy_orders.");
  CHECK(run.verdict.decision == schemagate::gates::Decision::kDeny);
}

TEST_CASE("ban-drop-table reports each existing table of one statement") {
  auto run = run_sql("CREATE TABLE tmp_x (id bigint);\nDROP TABLE tmp_x, billing.\"Old\";\n");
  auto found = run.of(kGate);
  REQUIRE(found.size() == 1);
  CHECK(found[0].message.find("billing.\"Old\"") != std::string::npos);
  CHECK(run.positions(kGate) == std::vector<std::string>{"2:1"});
}

TEST_CASE("ban-drop-table is silent for a table created earlier in the same script") {
  auto run = run_sql(
      "CREATE TABLE import_tmp (id bigint);\nINSERT INTO import_tmp VALUES (1);\nDROP TABLE import_tmp;\n");
  CHECK(run.of(kGate).empty());
}

TEST_CASE("ban-drop-table is silent for DROP VIEW and DROP INDEX") {
  auto run = run_sql("DROP VIEW order_totals;\nDROP INDEX CONCURRENTLY orders_idx;\n");
  CHECK(run.of(kGate).empty());
}

TEST_CASE("ban-drop-table still fires for an existing table renamed earlier in the script") {
  // The lock model counts a rename target as created; the table and its rows are old.
  auto run = run_sql("ALTER TABLE orders RENAME TO orders_old;\nDROP TABLE orders_old;\n");
  CHECK(run.positions(kGate) == std::vector<std::string>{"2:1"});
}

TEST_CASE("ban-drop-table can be suppressed with a reason") {
  auto run = run_sql(
      "-- schemagate:ignore lint.ban-drop-table unused since 2024-06, dump kept\n"
      "DROP TABLE legacy_orders;\n");
  CHECK(run.of(kGate).empty());
  CHECK(run.of("lint.unused-suppression").empty());
}

}  // namespace ban_drop_table_test
