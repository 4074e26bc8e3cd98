#include <catch2/catch.hpp>

#include "support/gate_test.hpp"

namespace ban_drop_database_test {  // per-file scope: the tests are also built as one unity TU

using schemagate::testing::run_sql;

static const std::string kGate = "lint.ban-drop-database";

TEST_CASE("ban-drop-database fires on DROP DATABASE") {
  auto run = run_sql("SET lock_timeout = '1s';\n\n   DROP DATABASE IF EXISTS reporting;\n");
  auto found = run.of(kGate);
  REQUIRE(found.size() == 1);
  CHECK(run.positions(kGate) == std::vector<std::string>{"3:4"});
  CHECK(found[0].message ==
        "DROP DATABASE reporting deletes the database reporting and everything in it, for good.");
  CHECK(found[0].help ==
        "Drop databases by hand, after a backup and under change control, not from a migration.");
  CHECK(found[0].severity == schemagate::gates::Severity::kError);
}

TEST_CASE("ban-drop-database is silent for CREATE DATABASE and DROP SCHEMA") {
  auto run = run_sql("CREATE DATABASE reporting;\n");
  CHECK(run.of(kGate).empty());
  CHECK(run_sql("DROP SCHEMA reporting;").of(kGate).empty());
}

TEST_CASE("ban-drop-database ignores the words in comments and strings") {
  auto run = run_sql("-- DROP DATABASE reporting;\nSELECT 'DROP DATABASE reporting';\n");
  CHECK(run.of(kGate).empty());
}

TEST_CASE("ban-drop-database can be suppressed with a reason") {
  auto run = run_sql(
      "-- schemagate:ignore lint.ban-drop-database preview environment, recreated on deploy\n"
      "DROP DATABASE preview_1234;\n");
  CHECK(run.of(kGate).empty());
  CHECK(run.of("lint.unused-suppression").empty());
}

}  // namespace ban_drop_database_test
