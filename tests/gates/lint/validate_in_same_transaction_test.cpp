#include <catch2/catch.hpp>

#include "support/gate_test.hpp"

namespace validate_in_same_transaction_test {  // per-file scope: the tests are also built as one unity TU

using schemagate::testing::run_files;
using schemagate::testing::run_sql;

static const std::string kGate = "lint.validate-in-same-transaction";

TEST_CASE("validate-in-same-transaction fires when ADD NOT VALID and VALIDATE share a transaction") {
  auto run = run_sql(
      "BEGIN;\n"
      "ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers "
      "NOT "
      "VALID;\n"
      "  ALTER TABLE orders VALIDATE CONSTRAINT orders_customer_fk;\n"
      "COMMIT;\n");
  auto found = run.of(kGate);
  REQUIRE(found.size() == 1);
  CHECK(run.positions(kGate) == std::vector<std::string>{"3:3"});
  CHECK(found[0].message ==
        "VALIDATE CONSTRAINT orders_customer_fk runs in the transaction that added it NOT VALID on line 2, "
        "so a "
        "SHARE ROW EXCLUSIVE lock on orders stays held through the whole validation scan: it blocks writes "
        "(INSERT, UPDATE, DELETE), not reads.");
  CHECK(found[0].help ==
        "Move VALIDATE CONSTRAINT orders_customer_fk to a separate migration (its own transaction) after the "
        "one "
        "that adds it.");
  REQUIRE(found[0].steps.size() == 2);
  CHECK(found[0].steps[1] ==
        "In the next migration (its own transaction): ALTER TABLE orders VALIDATE CONSTRAINT "
        "orders_customer_fk;");
}

TEST_CASE("validate-in-same-transaction matches generated names in a goose transaction") {
  auto run = run_files({{"20240101_check.sql",
                         "-- +goose Up\n"
                         "ALTER TABLE orders ADD CHECK (amount >= 0) NOT VALID;\n"
                         "ALTER TABLE orders VALIDATE CONSTRAINT orders_amount_check;\n"}});
  auto found = run.of(kGate);
  REQUIRE(found.size() == 1);
  CHECK(found[0].message.find("an ACCESS EXCLUSIVE lock on orders") != std::string::npos);
}

TEST_CASE("validate-in-same-transaction is silent in separate transactions") {
  auto run = run_sql(
      "ALTER TABLE orders ADD CONSTRAINT c CHECK (amount >= 0) NOT VALID;\n"
      "ALTER TABLE orders VALIDATE CONSTRAINT c;\n");
  CHECK(run.of(kGate).empty());
  auto split = run_sql(
      "BEGIN;\nALTER TABLE orders ADD CONSTRAINT c CHECK (amount >= 0) NOT VALID;\nCOMMIT;\n"
      "BEGIN;\nALTER TABLE orders VALIDATE CONSTRAINT c;\nCOMMIT;\n");
  CHECK(split.of(kGate).empty());
}

TEST_CASE("validate-in-same-transaction ignores another constraint and new tables") {
  CHECK(run_sql("BEGIN;\nALTER TABLE orders ADD CONSTRAINT c CHECK (a > 0) NOT VALID;\n"
                "ALTER TABLE orders VALIDATE CONSTRAINT d;\nCOMMIT;\n")
            .of(kGate)
            .empty());
  CHECK(run_sql("BEGIN;\nCREATE TABLE t (a int);\nALTER TABLE t ADD CONSTRAINT c CHECK (a > 0) NOT VALID;\n"
                "ALTER TABLE t VALIDATE CONSTRAINT c;\nCOMMIT;\n")
            .of(kGate)
            .empty());
}

TEST_CASE("validate-in-same-transaction can be suppressed with a reason") {
  auto run = run_sql(
      "BEGIN;\nALTER TABLE orders ADD CONSTRAINT c CHECK (amount >= 0) NOT VALID;\n"
      "-- schemagate:ignore lint.validate-in-same-transaction maintenance window\n"
      "ALTER TABLE orders VALIDATE CONSTRAINT c;\nCOMMIT;\n");
  CHECK(run.of(kGate).empty());
  CHECK(run.of("lint.unused-suppression").empty());
}

}  // namespace validate_in_same_transaction_test
