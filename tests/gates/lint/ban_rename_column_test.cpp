#include <catch2/catch.hpp>

#include "support/gate_test.hpp"

namespace ban_rename_column_test {  // per-file scope: the tests are also built as one unity TU

using schemagate::testing::run_sql;

static const std::string kGate = "lint.ban-rename-column";

TEST_CASE("ban-rename-column fires on RENAME COLUMN of an existing table") {
  auto run = run_sql("SELECT 1;\n    ALTER TABLE orders RENAME COLUMN status TO state;\n");
  auto found = run.of(kGate);
  REQUIRE(found.size() == 1);
  CHECK(run.positions(kGate) == std::vector<std::string>{"2:5"});
  CHECK(found[0].message ==
        "Renaming column orders.status to state breaks running code that still uses status, and takes an "
        "ACCESS "
        "EXCLUSIVE lock on orders.");
  CHECK(found[0].help ==
        "Add state next to status, move the code to it, then drop status in a later migration (expand and "
        "contract).");
  REQUIRE(found[0].steps.size() == 5);
  CHECK(found[0].steps[0] == "Add the new column: ALTER TABLE orders ADD COLUMN state <type of status>;");
  CHECK(found[0].steps[4] ==
        "Drop the old column in a later migration: ALTER TABLE orders DROP COLUMN status;");
}

TEST_CASE("ban-rename-column fires on the short RENAME form") {
  auto run = run_sql("ALTER TABLE orders RENAME status TO \"State\";");
  REQUIRE(run.of(kGate).size() == 1);
  CHECK(run.of(kGate)[0].message.find("to \"State\" breaks") != std::string::npos);
}

TEST_CASE("ban-rename-column is silent for a table created earlier in the same script") {
  auto run = run_sql("CREATE TABLE t (a int);\nALTER TABLE t RENAME COLUMN a TO b;\n");
  CHECK(run.of(kGate).empty());
}

TEST_CASE("ban-rename-column is silent for a table rename and a view column rename") {
  auto run = run_sql("ALTER TABLE orders RENAME TO purchases;\nALTER VIEW v RENAME COLUMN a TO b;\n");
  CHECK(run.of(kGate).empty());
}

TEST_CASE("ban-rename-column can be suppressed with a reason") {
  auto run = run_sql(
      "-- schemagate:ignore lint.ban-rename-column only read by the job deployed with this\n"
      "ALTER TABLE orders RENAME COLUMN status TO state;\n");
  CHECK(run.of(kGate).empty());
  CHECK(run.of("lint.unused-suppression").empty());
}

}  // namespace ban_rename_column_test
