#include <catch2/catch.hpp>

#include "support/gate_test.hpp"

namespace non_transactional_in_transaction_test {  // per-file scope: the tests are also built as one unity TU

using schemagate::testing::run_files;
using schemagate::testing::run_sql;

static const std::string kGate = "lint.non-transactional-in-transaction";

TEST_CASE("non-transactional-in-transaction fires on CREATE INDEX CONCURRENTLY in a goose transaction") {
  auto run =
      run_files({{"20240101_idx.sql",
                  "-- +goose Up\nCREATE INDEX CONCURRENTLY orders_customer_idx ON orders (customer_id);\n"}});
  auto found = run.of(kGate);
  REQUIRE(found.size() == 1);
  CHECK(run.positions(kGate) == std::vector<std::string>{"2:1"});
  CHECK(
      found[0].message ==
      "CREATE INDEX CONCURRENTLY cannot run inside a transaction block, but here it runs in one (goose runs "
      "each migration in a transaction): PostgreSQL rejects it and the migration fails.");
  CHECK(found[0].help ==
        "Run CREATE INDEX CONCURRENTLY in a goose migration of its own marked -- +goose NO TRANSACTION.");
  REQUIRE(found[0].steps.size() == 2);
  CHECK(
      found[0].steps[1] ==
      "PostgreSQL refuses it in a transaction block: PostgreSQL docs, CREATE INDEX: \"a regular CREATE INDEX "
      "command can be performed within a transaction block, but CREATE INDEX CONCURRENTLY cannot\".");
  CHECK(run.verdict.decision == schemagate::gates::Decision::kDeny);
}

TEST_CASE("non-transactional-in-transaction fires in golang-migrate's implicit transaction") {
  auto run = run_files({{"001_cleanup.up.sql", "DELETE FROM sessions WHERE true;\nVACUUM sessions;\n"}});
  auto found = run.of(kGate);
  REQUIRE(found.size() == 1);
  CHECK(run.positions(kGate) == std::vector<std::string>{"2:1"});
  CHECK(
      found[0].message ==
      "VACUUM cannot run inside a transaction block, but here it runs in one (golang-migrate sends the file "
      "as one multi-statement query, which PostgreSQL runs as one implicit transaction): PostgreSQL rejects "
      "it "
      "and the migration fails.");
  CHECK(found[0].help == "Run VACUUM in a golang-migrate file that holds only this statement.");
}

TEST_CASE("non-transactional-in-transaction fires after an explicit BEGIN") {
  auto run = run_sql("BEGIN;\nDROP INDEX CONCURRENTLY orders_customer_idx;\nCOMMIT;\n");
  auto found = run.of(kGate);
  REQUIRE(found.size() == 1);
  CHECK(
      found[0].message ==
      "DROP INDEX CONCURRENTLY cannot run inside a transaction block, but here it runs in one (BEGIN on line "
      "1 opens it): PostgreSQL rejects it and the migration fails.");
  CHECK(found[0].help == "Run DROP INDEX CONCURRENTLY outside BEGIN ... COMMIT.");
}

TEST_CASE("non-transactional-in-transaction is silent outside transactions") {
  CHECK(run_sql("CREATE INDEX CONCURRENTLY i ON orders (a);\nVACUUM orders;\n").of(kGate).empty());
  CHECK(run_files({{"001_idx.up.sql", "CREATE INDEX CONCURRENTLY i ON orders (a);"}}).of(kGate).empty());
  CHECK(run_files({{"20240101_idx.sql",
                    "-- +goose NO TRANSACTION\n-- +goose Up\nCREATE INDEX CONCURRENTLY i ON orders (a);\n"}})
            .of(kGate)
            .empty());
}

TEST_CASE("non-transactional-in-transaction ignores transactional statements in a transaction") {
  auto run = run_sql("BEGIN;\nCREATE INDEX i ON orders (a);\nREINDEX TABLE orders;\nCOMMIT;\n");
  CHECK(run.of(kGate).empty());
}

TEST_CASE("non-transactional-in-transaction can be suppressed with a reason") {
  auto run = run_sql(
      "BEGIN;\n"
      "-- schemagate:ignore lint.non-transactional-in-transaction the runner splits on BEGIN itself\n"
      "VACUUM orders;\n"
      "COMMIT;\n");
  CHECK(run.of(kGate).empty());
  CHECK(run.of("lint.unused-suppression").empty());
}

}  // namespace non_transactional_in_transaction_test
