#include <catch2/catch.hpp>

#include "support/gate_test.hpp"

namespace ban_drop_column_test {  // per-file scope: the tests are also built as one unity TU

using schemagate::testing::run_sql;

static const std::string kGate = "lint.ban-drop-column";

TEST_CASE("ban-drop-column fires on DROP COLUMN of an existing table") {
  auto run = run_sql("\n  ALTER TABLE orders DROP COLUMN legacy_status;\n");
  auto found = run.of(kGate);
  REQUIRE(found.size() == 1);
  CHECK(run.positions(kGate) == std::vector<std::string>{"2:3"});
  CHECK(
      found[0].message ==
      "Dropping column orders.legacy_status breaks running code that still reads or writes it, and takes an "
      "ACCESS EXCLUSIVE lock on orders.");
  CHECK(found[0].help ==
        "Stop using legacy_status in the code and deploy that first, then drop the column in a later "
        "migration.");
  REQUIRE(found[0].steps.size() == 3);
  CHECK(found[0].steps[0].find("ORMs that cache column lists") != std::string::npos);
  CHECK(found[0].steps[2] == "Drop it in a later migration: ALTER TABLE orders DROP COLUMN legacy_status;");
}

TEST_CASE("ban-drop-column names CASCADE and reports every dropped column") {
  auto run = run_sql("ALTER TABLE orders DROP COLUMN a CASCADE, DROP COLUMN IF EXISTS b;");
  auto found = run.of(kGate);
  REQUIRE(found.size() == 2);
  CHECK(found[0].message ==
        "Dropping column orders.a breaks running code that still reads or writes it, and takes an ACCESS "
        "EXCLUSIVE lock on orders; CASCADE also drops the views, indexes and constraints that use it.");
}

TEST_CASE("ban-drop-column is silent for a table created earlier in the same script") {
  auto run = run_sql("CREATE TABLE t (a int, b int);\nALTER TABLE t DROP COLUMN b;\n");
  CHECK(run.of(kGate).empty());
}

TEST_CASE("ban-drop-column is silent for DROP CONSTRAINT and ADD COLUMN") {
  auto run = run_sql("ALTER TABLE orders DROP CONSTRAINT orders_x_check, ADD COLUMN note text;");
  CHECK(run.of(kGate).empty());
}

TEST_CASE("ban-drop-column can be suppressed with a reason") {
  auto run = run_sql(
      "-- schemagate:ignore lint.ban-drop-column ignored_columns shipped in release 42\n"
      "ALTER TABLE orders DROP COLUMN legacy_status;\n");
  CHECK(run.of(kGate).empty());
  CHECK(run.of("lint.unused-suppression").empty());
}

}  // namespace ban_drop_column_test
