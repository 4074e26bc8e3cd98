#include <catch2/catch.hpp>

#include "support/gate_test.hpp"

namespace require_down_migration_test {  // per-file scope: the tests are also built as one unity TU

using schemagate::testing::run_files;
using schemagate::testing::run_sql;

static const std::string kGate = "rollback.require-down-migration";

TEST_CASE("require-down-migration fires on a golang-migrate up without its down") {
  auto run = run_files({{"db/1_add_orders.up.sql", "\nCREATE TABLE orders (id bigint PRIMARY KEY);\n"}});
  auto found = run.of(kGate);
  REQUIRE(found.size() == 1);
  CHECK(run.positions(kGate) == std::vector<std::string>{"2:1"});
  CHECK(found[0].location.source == "db/1_add_orders.up.sql");
  CHECK(
      found[0].message ==
      "1_add_orders.up.sql has no down migration (db/1_add_orders.down.sql): it cannot be rolled back by the "
      "tool.");
  CHECK(found[0].help ==
        "Write db/1_add_orders.down.sql with the statements that undo 1_add_orders.up.sql, newest change "
        "first.");
  CHECK(run.verdict.decision == schemagate::gates::Decision::kDeny);
}

TEST_CASE("require-down-migration names the Flyway undo file once the set uses undo migrations") {
  // No U file anywhere: the project does not use undo (Flyway Community has none).
  CHECK(run_files({{"V2__add_orders.sql", "CREATE TABLE orders (id bigint);"}}).of(kGate).empty());
  auto run = run_files({{"V1__init.sql", "CREATE TABLE customers (id bigint);"},
                        {"U1__init.sql", "DROP TABLE customers;"},
                        {"V2__add_orders.sql", "CREATE TABLE orders (id bigint);"}});
  REQUIRE(run.of(kGate).size() == 1);
  CHECK(
      run.of(kGate)[0].message ==
      "V2__add_orders.sql has no down migration (U2__add_orders.sql): it cannot be rolled back by the tool.");
  CHECK(run_files({{"V2__add_orders.sql", "CREATE TABLE orders (id bigint);"},
                   {"U2__add_orders.sql", "DROP TABLE orders;"}})
            .of(kGate)
            .empty());
}

TEST_CASE("require-down-migration reports a goose file without a Down section, or with an empty one") {
  auto none = run_files({{"00003_orders.sql", "-- +goose Up\nCREATE TABLE orders (id bigint);\n"}});
  REQUIRE(none.of(kGate).size() == 1);
  CHECK(none.positions(kGate) == std::vector<std::string>{"2:1"});
  CHECK(none.of(kGate)[0].message ==
        "00003_orders.sql has no down migration (a -- +goose Down section in 00003_orders.sql): it cannot be "
        "rolled back by the tool.");
  auto empty = run_files(
      {{"00003_orders.sql", "-- +goose Up\nCREATE TABLE orders (id bigint);\n-- +goose Down\n-- nothing\n"}});
  REQUIRE(empty.of(kGate).size() == 1);
  CHECK(empty.of(kGate)[0].message ==
        "The Down section of 00003_orders.sql runs no SQL: 00003_orders.sql cannot be rolled back by the "
        "tool.");
}

TEST_CASE("require-down-migration is silent when the down exists") {
  auto run = run_files({{"1_add_orders.up.sql", "CREATE TABLE orders (id bigint);"},
                        {"1_add_orders.down.sql", "DROP TABLE orders;"}});
  CHECK(run.of(kGate).empty());
  auto goose =
      run_files({{"00003_orders.sql",
                  "-- +goose Up\nCREATE TABLE orders (id bigint);\n-- +goose Down\nDROP TABLE orders;\n"}});
  CHECK(goose.of(kGate).empty());
}

TEST_CASE("require-down-migration exempts plain files and Flyway repeatable migrations") {
  CHECK(run_sql("CREATE TABLE orders (id bigint);").of(kGate).empty());
  CHECK(run_files({{"R__views.sql", "CREATE OR REPLACE VIEW v AS SELECT 1;"}}).of(kGate).empty());
}

TEST_CASE("require-down-migration can be suppressed with a reason") {
  auto run = run_files({{"1_backfill.up.sql",
                         "-- schemagate:ignore rollback.require-down-migration one-way backfill\n"
                         "UPDATE orders SET region = 'eu' WHERE region IS NULL;\n"}});
  CHECK(run.of(kGate).empty());
  CHECK(run.of("lint.unused-suppression").empty());
}

TEST_CASE("require-down-migration severity follows the policy") {
  schemagate::testing::RunOptions opts;
  opts.file_name = "1_add_orders.up.sql";
  opts.policy_yaml = "gates:\n  rollback.require-down-migration: warning\n";
  auto run = run_sql("CREATE TABLE orders (id bigint);", opts);
  REQUIRE(run.of(kGate).size() == 1);
  CHECK(run.of(kGate)[0].severity == schemagate::gates::Severity::kWarning);
}

}  // namespace require_down_migration_test
