#include <catch2/catch.hpp>

#include "support/gate_test.hpp"

namespace ban_set_logged_test {  // per-file scope: the tests are also built as one unity TU

using schemagate::testing::run_sql;

static const std::string kGate = "lint.ban-set-logged";

TEST_CASE("ban-set-logged fires on SET LOGGED and mentions the WAL") {
  auto run = run_sql("SET lock_timeout = '2s';\n  ALTER TABLE events SET LOGGED;\n");
  auto found = run.of(kGate);
  REQUIRE(found.size() == 1);
  CHECK(run.positions(kGate) == std::vector<std::string>{"2:3"});
  CHECK(
      found[0].message ==
      "SET LOGGED rewrites events and writes all of it to the WAL under an ACCESS EXCLUSIVE lock on events, "
      "which blocks all reads and writes until the rewrite ends.");
  CHECK(
      found[0].help ==
      "Create events logged from the start, or copy it into a new table in batches and swap the names in one "
      "short transaction.");
  REQUIRE(found[0].steps.size() == 3);
  CHECK(found[0].steps[0] == "CREATE TABLE events_new (LIKE events INCLUDING ALL);");
}

TEST_CASE("ban-set-logged fires on SET UNLOGGED") {
  auto found = run_sql("ALTER TABLE events SET UNLOGGED;").of(kGate);
  REQUIRE(found.size() == 1);
  CHECK(found[0].message ==
        "SET UNLOGGED rewrites events under an ACCESS EXCLUSIVE lock on events, which blocks all reads and "
        "writes "
        "until the rewrite ends.");
  CHECK(found[0].steps[0] == "CREATE UNLOGGED TABLE events_new (LIKE events INCLUDING ALL);");
}

TEST_CASE("ban-set-logged is silent for other ALTER TABLE forms") {
  CHECK(run_sql("ALTER TABLE events SET (fillfactor = 70);").of(kGate).empty());
  CHECK(run_sql("ALTER TABLE events ADD COLUMN note text;").of(kGate).empty());
}

TEST_CASE("ban-set-logged ignores a table created earlier in the same migration") {
  auto run = run_sql(
      "CREATE UNLOGGED TABLE import_rows (id bigint);\n"
      "ALTER TABLE import_rows SET LOGGED;\n");
  CHECK(run.of(kGate).empty());
}

TEST_CASE("ban-set-logged can be suppressed with a reason") {
  auto run = run_sql(
      "-- schemagate:ignore lint.ban-set-logged staging table, nobody reads it yet\n"
      "ALTER TABLE import_rows SET LOGGED;\n");
  CHECK(run.of(kGate).empty());
  CHECK(run.of("lint.unused-suppression").empty());
}

}  // namespace ban_set_logged_test
