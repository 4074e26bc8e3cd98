#include <catch2/catch.hpp>

#include "support/gate_test.hpp"

namespace ban_rename_table_test {  // per-file scope: the tests are also built as one unity TU

using schemagate::testing::run_sql;

static const std::string kGate = "lint.ban-rename-table";

TEST_CASE("ban-rename-table fires on RENAME TO of an existing table") {
  auto run = run_sql("SET lock_timeout = '2s';\n  ALTER TABLE orders RENAME TO purchases;\n");
  auto found = run.of(kGate);
  REQUIRE(found.size() == 1);
  CHECK(run.positions(kGate) == std::vector<std::string>{"2:3"});
  CHECK(found[0].message ==
        "Renaming table orders to purchases breaks running code that still uses orders, and takes an ACCESS "
        "EXCLUSIVE lock on orders.");
  CHECK(found[0].help ==
        "Keep orders working while code moves to purchases: create a view named orders over purchases in the "
        "same "
        "transaction.");
  REQUIRE(found[0].steps.size() == 3);
  CHECK(found[0].steps[0] ==
        "In one transaction: ALTER TABLE orders RENAME TO purchases; CREATE VIEW orders AS SELECT * FROM "
        "purchases; (a simple view is updatable, so old code keeps reading and writing).");
  CHECK(found[0].steps[2] == "Drop the view in a later migration: DROP VIEW orders;");
}

TEST_CASE("ban-rename-table keeps the schema and reports SET SCHEMA") {
  auto run =
      run_sql("ALTER TABLE billing.orders RENAME TO purchases;\nALTER TABLE invoices SET SCHEMA archive;\n");
  auto found = run.of(kGate);
  REQUIRE(found.size() == 2);
  CHECK(
      found[0].help ==
      "Keep billing.orders working while code moves to billing.purchases: create a view named billing.orders "
      "over billing.purchases in the same transaction.");
  CHECK(found[1].message ==
        "Moving table invoices to schema archive breaks running code that still uses invoices, and takes an "
        "ACCESS EXCLUSIVE lock on invoices.");
}

TEST_CASE("ban-rename-table is silent for a table created earlier in the same script") {
  auto run = run_sql("CREATE TABLE draft (id bigint);\nALTER TABLE draft RENAME TO final;\n");
  CHECK(run.of(kGate).empty());
}

TEST_CASE("ban-rename-table is silent for column, index and constraint renames") {
  auto run = run_sql(
      "ALTER TABLE orders RENAME COLUMN a TO b;\nALTER INDEX orders_idx RENAME TO orders_a_idx;\n"
      "ALTER TABLE orders RENAME CONSTRAINT c TO d;\n");
  CHECK(run.of(kGate).empty());
}

TEST_CASE("ban-rename-table can be suppressed with a reason") {
  auto run = run_sql(
      "-- schemagate:ignore lint.ban-rename-table view orders created below for old readers\n"
      "ALTER TABLE orders RENAME TO purchases;\nCREATE VIEW orders AS SELECT * FROM purchases;\n");
  CHECK(run.of(kGate).empty());
  CHECK(run.of("lint.unused-suppression").empty());
}

}  // namespace ban_rename_table_test
