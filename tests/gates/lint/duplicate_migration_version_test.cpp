#include <catch2/catch.hpp>

#include "support/gate_test.hpp"

namespace duplicate_migration_version_test {  // per-file scope: the tests are also built as one unity TU

using schemagate::testing::run_files;

static const std::string kGate = "lint.duplicate-migration-version";

TEST_CASE("duplicate-migration-version fires on two golang-migrate files of one version") {
  auto run = run_files({{"db/5_a.up.sql", "CREATE TABLE a (id bigint);"},
                        {"db/5_a.down.sql", "DROP TABLE a;"},
                        {"db/5_b.up.sql", "CREATE TABLE b (id bigint);"},
                        {"db/5_b.down.sql", "DROP TABLE b;"}});
  auto found = run.of(kGate);
  REQUIRE(found.size() == 1);
  CHECK(found[0].location.display() == "db/5_b.up.sql:1:1");
  CHECK(
      found[0].message ==
      "Version 5 of 5_b.up.sql is also the version of 5_a.up.sql: golang-migrate refuses to run a folder in "
      "which two migrations share a version.");
  CHECK(found[0].help == "Give 5_b.up.sql and its down the next free version.");
  CHECK(run.verdict.decision == schemagate::gates::Decision::kDeny);
}

TEST_CASE("duplicate-migration-version compares versions as numbers, as the tools do") {
  auto run =
      run_files({{"00005_a.sql", "-- +goose Up\nSELECT 1;\n"}, {"5_b.sql", "-- +goose Up\nSELECT 2;\n"}});
  auto found = run.of(kGate);
  REQUIRE(found.size() == 1);
  CHECK(found[0].location.display() == "5_b.sql:1:1");
  CHECK(found[0].message ==
        "Version 5 of 5_b.sql is also the version of 00005_a.sql: goose refuses to run a folder in which two "
        "migrations share a version.");
  CHECK(found[0].help == "Give 5_b.sql the next free version.");
}

TEST_CASE("duplicate-migration-version fires on Flyway and on folders per migration") {
  auto flyway = run_files({{"V1_13__a.sql", "SELECT 1;"}, {"V1_13__b.sql", "SELECT 2;"}});
  REQUIRE(flyway.of(kGate).size() == 1);
  CHECK(
      flyway.of(kGate)[0].message ==
      "Version 1.13 of V1_13__b.sql is also the version of V1_13__a.sql: Flyway refuses to migrate when two "
      "migrations share a version.");
  auto folders = run_files({{"h/17_a/up.sql", "SELECT 1;"}, {"h/17_b/up.sql", "SELECT 2;"}});
  REQUIRE(folders.of(kGate).size() == 1);
  CHECK(folders.of(kGate)[0].location.display() == "h/17_b/up.sql:1:1");
  CHECK(folders.of(kGate)[0].message ==
        "Version 17 of 17_b/up.sql is also the version of 17_a/up.sql: the migration tool records applied "
        "migrations by version, so one of them is refused or never runs.");
}

TEST_CASE("duplicate-migration-version is silent on an up and its down, and on distinct versions") {
  CHECK(run_files({{"5_a.up.sql", "SELECT 1;"}, {"5_a.down.sql", "SELECT 1;"}, {"6_b.up.sql", "SELECT 1;"}})
            .of(kGate)
            .empty());
  CHECK(run_files({{"V1__a.sql", "SELECT 1;"}, {"U1__a.sql", "SELECT 1;"}, {"V1.1__b.sql", "SELECT 1;"}})
            .of(kGate)
            .empty());
  CHECK(run_files({{"h/17_a/up.sql", "SELECT 1;"}, {"h/17_a/down.sql", "SELECT 1;"}}).of(kGate).empty());
}

TEST_CASE("duplicate-migration-version guards: other folders, other formats and plain files") {
  // Two folders are two tool runs (mattermost keeps postgres/ and mysql/ side by side).
  CHECK(
      run_files({{"postgres/5_a.up.sql", "SELECT 1;"}, {"mysql/5_a.up.sql", "SELECT 1;"}}).of(kGate).empty());
  // Plain files have no version; Prisma's folders only order them.
  CHECK(run_files({{"1_a.sql", "SELECT 1;"}, {"1_b.sql", "SELECT 1;"}}).of(kGate).empty());
  CHECK(run_files({{"p/20240101000000_a/migration.sql", "SELECT 1;"},
                   {"p/20240101000000_b/migration.sql", "SELECT 1;"}})
            .of(kGate)
            .empty());
}

TEST_CASE("duplicate-migration-version severity follows the policy") {
  schemagate::testing::RunOptions opts;
  opts.policy_yaml = "gates:\n  lint.duplicate-migration-version: warning\n";
  auto run = run_files({{"5_a.up.sql", "SELECT 1;"}, {"5_b.up.sql", "SELECT 1;"}}, opts);
  REQUIRE(run.of(kGate).size() == 1);
  CHECK(run.of(kGate)[0].severity == schemagate::gates::Severity::kWarning);
}

TEST_CASE("duplicate-migration-version cannot be suppressed: the comment is reported as unused") {
  auto run = run_files(
      {{"5_a.up.sql", "SELECT 1;"},
       {"5_b.up.sql", "-- schemagate:ignore lint.duplicate-migration-version merged twice\nSELECT 1;"}});
  CHECK(run.of(kGate).size() == 1);
  CHECK(run.of("lint.unused-suppression").size() == 1);
}

}  // namespace duplicate_migration_version_test
