#include <catch2/catch.hpp>

#include "support/gate_test.hpp"

namespace ban_enum_add_value_in_transaction_test {  // per-file scope: the tests are also built as one unity
                                                    // TU

using schemagate::testing::run_sql;
using schemagate::testing::RunOptions;

static const std::string kGate = "lint.ban-enum-add-value-in-transaction";

static RunOptions goose(int pg_major) {
  RunOptions o;
  o.file_name = "20240101120000_add_status.sql";
  o.pg_major = pg_major;
  return o;
}

TEST_CASE("ban-enum-add-value-in-transaction fires in goose's transaction before PostgreSQL 12") {
  auto run =
      run_sql("-- +goose Up\n  ALTER TYPE order_status ADD VALUE 'refunded' AFTER 'paid';\n", goose(11));
  auto found = run.of(kGate);
  REQUIRE(found.size() == 1);
  CHECK(run.positions(kGate) == std::vector<std::string>{"2:3"});
  CHECK(
      found[0].message ==
      "ALTER TYPE order_status ADD VALUE cannot run inside a transaction block on PostgreSQL 11, and here it "
      "runs in one (goose runs each migration in a transaction), so the migration fails.");
  CHECK(found[0].help ==
        "Add the value in a migration of its own that runs outside a transaction (goose: -- +goose NO "
        "TRANSACTION; golang-migrate: a file holding only this statement).");
  CHECK(found[0].severity == schemagate::gates::Severity::kError);
}

TEST_CASE("ban-enum-add-value-in-transaction is silent outside a transaction before PostgreSQL 12") {
  auto run = run_sql(
      "-- +goose NO TRANSACTION\n-- +goose Up\nALTER TYPE order_status ADD VALUE 'refunded';\n", goose(11));
  CHECK(run.of(kGate).empty());
  RunOptions single;
  single.file_name = "3_add_status.up.sql";
  single.pg_major = 11;
  CHECK(run_sql("ALTER TYPE order_status ADD VALUE 'refunded';\n", single).of(kGate).empty());
}

TEST_CASE("ban-enum-add-value-in-transaction is silent in a transaction on PostgreSQL 12+ when unused") {
  auto run =
      run_sql("-- +goose Up\nALTER TYPE order_status ADD VALUE 'refunded';\nUPDATE orders SET note = 'x';\n",
              goose(15));
  CHECK(run.of(kGate).empty());
}

TEST_CASE("ban-enum-add-value-in-transaction fires where the new value is used in the same transaction") {
  auto run = run_sql(
      "-- +goose Up\nALTER TYPE order_status ADD VALUE 'refunded';\n"
      "UPDATE orders SET status = 'refunded'::order_status WHERE refunded_at IS NOT NULL;\n",
      goose(15));
  auto found = run.of(kGate);
  REQUIRE(found.size() == 1);
  CHECK(run.positions(kGate) == std::vector<std::string>{"3:1"});
  CHECK(found[0].message ==
        "This statement uses the value that ALTER TYPE order_status ADD VALUE at line 2 adds in the same "
        "transaction, which PostgreSQL rejects until that transaction commits.");
}

TEST_CASE("ban-enum-add-value-in-transaction is silent when the use comes after COMMIT") {
  auto run = run_sql(
      "BEGIN;\nALTER TYPE order_status ADD VALUE 'refunded';\nCOMMIT;\n"
      "UPDATE orders SET status = 'refunded' WHERE refunded_at IS NOT NULL;\n");
  CHECK(run.of(kGate).empty());
}

TEST_CASE("ban-enum-add-value-in-transaction can be suppressed with a reason") {
  auto run = run_sql(
      "-- +goose Up\n-- schemagate:ignore lint.ban-enum-add-value-in-transaction runs on PostgreSQL 11 by "
      "hand\n"
      "ALTER TYPE order_status ADD VALUE 'refunded';\n",
      goose(11));
  CHECK(run.of(kGate).empty());
  CHECK(run.of("lint.unused-suppression").empty());
}

}  // namespace ban_enum_add_value_in_transaction_test
