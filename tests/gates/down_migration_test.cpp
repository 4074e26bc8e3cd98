// Down migrations (gates/engine.cpp, gates/common/undo.hpp): a down undoing its own up
// is no destructive change, and lint findings in a down weigh at most
// policy.downMigrationLint (warning by default), except syntax errors.
#include <catch2/catch.hpp>

#include "support/gate_test.hpp"

namespace down_migration_test {  // per-file scope: the tests are also built as one unity TU

using schemagate::gates::Severity;
using schemagate::testing::run_files;
using schemagate::testing::RunOptions;

namespace {

const std::vector<std::pair<std::string, std::string>> kPair = {
    {"20240301_refunds.up.sql",
     "SET lock_timeout = '2s';\nSET statement_timeout = '5min';\n"
     "CREATE SCHEMA IF NOT EXISTS archive;\n"
     "CREATE TABLE refunds (id bigint PRIMARY KEY);\n"
     "ALTER TABLE orders ADD COLUMN refunded boolean;\n"
     "ALTER TABLE orders RENAME COLUMN note TO remark;\n"
     "ALTER TABLE invoices RENAME TO bills;\n"},
    {"20240301_refunds.down.sql",
     "SET lock_timeout = '2s';\nSET statement_timeout = '5min';\n"
     "ALTER TABLE bills RENAME TO invoices;\n"
     "ALTER TABLE orders RENAME COLUMN remark TO note;\n"
     "ALTER TABLE orders DROP COLUMN refunded;\n"
     "DROP TABLE refunds;\n"
     "DROP SCHEMA archive;\n"},
};

}  // namespace

TEST_CASE("down migration: undoing its own up is not a destructive change") {
  auto run = run_files(kPair);
  for (const char* gate : {"lint.ban-drop-table", "lint.ban-drop-column", "lint.ban-drop-schema",
                           "lint.ban-rename-table", "lint.ban-rename-column"}) {
    INFO(gate);
    // The up's renames are still reported, in the up file.
    for (const auto& f : run.of(gate))
      CHECK(f.location.source == "20240301_refunds.up.sql");
  }
  CHECK(run.positions("lint.ban-rename-column") == std::vector<std::string>{"6:1"});
  CHECK(run.positions("lint.ban-rename-table") == std::vector<std::string>{"7:1"});
}

TEST_CASE("down migration: dropping what its up did not create is still reported, as a warning") {
  auto files = kPair;
  files[1].second += "DROP TABLE customers;\nALTER TABLE orders DROP COLUMN total;\n";
  auto run = run_files(files);
  REQUIRE(run.of("lint.ban-drop-table").size() == 1);
  CHECK(run.of("lint.ban-drop-table")[0].location.source == "20240301_refunds.down.sql");
  CHECK(run.of("lint.ban-drop-table")[0].severity == Severity::kWarning);
  REQUIRE(run.of("lint.ban-drop-column").size() == 1);
  CHECK(run.of("lint.ban-drop-column")[0].message.find("orders.total") != std::string::npos);
  CHECK(run.of("lint.ban-drop-column")[0].severity == Severity::kWarning);
}

TEST_CASE("down migration: lint findings weigh at most policy.downMigrationLint") {
  std::vector<std::pair<std::string, std::string>> files = {
      {"001_idx.up.sql", "SET lock_timeout = '2s';\nSET statement_timeout = '5min';\nSELECT 1;\n"},
      {"001_idx.down.sql",
       "SET lock_timeout = '2s';\nSET statement_timeout = '5min';\nDROP INDEX orders_idx;\n"}};
  SECTION("by default a warning: the down does not deny the Job") {
    auto run = run_files(files);
    REQUIRE(run.of("lint.require-concurrent-index-drop").size() == 1);
    CHECK(run.of("lint.require-concurrent-index-drop")[0].severity == Severity::kWarning);
    CHECK(run.verdict.decision == schemagate::gates::Decision::kAllow);
  }
  SECTION("error: downs are judged like ups") {
    RunOptions opts;
    opts.policy_yaml = "downMigrationLint: error\n";
    auto run = run_files(files, opts);
    REQUIRE(run.of("lint.require-concurrent-index-drop").size() == 1);
    CHECK(run.of("lint.require-concurrent-index-drop")[0].severity == Severity::kError);
    CHECK(run.verdict.decision == schemagate::gates::Decision::kDeny);
  }
  SECTION("off: downs are not linted") {
    RunOptions opts;
    opts.policy_yaml = "downMigrationLint: off\n";
    CHECK(run_files(files, opts).of("lint.require-concurrent-index-drop").empty());
  }
  SECTION("a syntax error in a down keeps its severity: a down that cannot run is no rollback") {
    files[1].second = "DROP INDEX CONCURENTLY orders_idx;\n";
    auto run = run_files(files);
    REQUIRE(run.of("lint.sql-syntax-error").size() == 1);
    CHECK(run.of("lint.sql-syntax-error")[0].severity == Severity::kError);
  }
}

}  // namespace down_migration_test
