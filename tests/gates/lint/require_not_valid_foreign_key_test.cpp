#include <catch2/catch.hpp>

#include "support/gate_test.hpp"

namespace require_not_valid_foreign_key_test {  // per-file scope: the tests are also built as one unity TU

using schemagate::testing::run_sql;

static const std::string kGate = "lint.require-not-valid-foreign-key";

TEST_CASE("require-not-valid-foreign-key fires on ADD FOREIGN KEY without NOT VALID") {
  auto run = run_sql(
      "SET lock_timeout = '2s';\n"
      "ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers "
      "(id);\n");
  auto found = run.of(kGate);
  REQUIRE(found.size() == 1);
  CHECK(run.positions(kGate) == std::vector<std::string>{"2:1"});
  CHECK(found[0].message ==
        "ADD FOREIGN KEY orders_customer_fk checks every row of orders while holding a SHARE ROW EXCLUSIVE "
        "lock "
        "on both orders and customers (blocks writes (INSERT, UPDATE, DELETE), not reads), until the check "
        "ends.");
  CHECK(found[0].help ==
        "Add orders_customer_fk with NOT VALID, then VALIDATE CONSTRAINT it in a separate migration, which "
        "only "
        "takes SHARE UPDATE EXCLUSIVE on orders.");
  CHECK(found[0].steps ==
        std::vector<std::string>{
            "ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES "
            "customers "
            "(id) NOT VALID;",
            "In a separate migration (its own transaction): ALTER TABLE orders VALIDATE CONSTRAINT "
            "orders_customer_fk;"});
  CHECK(run.verdict.decision == schemagate::gates::Decision::kDeny);
}

TEST_CASE("require-not-valid-foreign-key fires on ADD COLUMN ... REFERENCES with the generated name") {
  auto run = run_sql("ALTER TABLE orders ADD COLUMN customer_id bigint REFERENCES customers;");
  auto found = run.of(kGate);
  REQUIRE(found.size() == 1);
  CHECK(
      found[0].message ==
      "ADD FOREIGN KEY orders_customer_id_fkey checks every row of orders while holding an ACCESS EXCLUSIVE "
      "lock on orders (blocks all reads and writes) and a SHARE ROW EXCLUSIVE lock on customers (blocks "
      "writes "
      "(INSERT, UPDATE, DELETE), not reads), until the check ends.");
  REQUIRE(found[0].steps.size() == 3);
  CHECK(found[0].steps[0] ==
        "Add the column without REFERENCES: ALTER TABLE orders ADD COLUMN customer_id ...;");
  CHECK(found[0].steps[1] ==
        "ALTER TABLE orders ADD CONSTRAINT orders_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES "
        "customers "
        "NOT VALID;");
}

TEST_CASE("require-not-valid-foreign-key is silent with NOT VALID and for VALIDATE") {
  auto run = run_sql(
      "ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers "
      "NOT VALID;\n"
      "ALTER TABLE orders VALIDATE CONSTRAINT orders_customer_fk;\n");
  CHECK(run.of(kGate).empty());
}

TEST_CASE("require-not-valid-foreign-key ignores a table created earlier in the same migration") {
  auto run = run_sql(
      "CREATE TABLE invoices (id bigint PRIMARY KEY, customer_id bigint);\n"
      "ALTER TABLE invoices ADD FOREIGN KEY (customer_id) REFERENCES customers (id);\n");
  CHECK(run.of(kGate).empty());
}

TEST_CASE("require-not-valid-foreign-key can be suppressed with a reason") {
  auto run = run_sql(
      "-- schemagate:ignore lint.require-not-valid-foreign-key orders is empty until launch\n"
      "ALTER TABLE orders ADD FOREIGN KEY (customer_id) REFERENCES customers;\n");
  CHECK(run.of(kGate).empty());
  CHECK(run.of("lint.unused-suppression").empty());
}

}  // namespace require_not_valid_foreign_key_test
