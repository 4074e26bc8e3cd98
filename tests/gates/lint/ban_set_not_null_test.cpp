#include <catch2/catch.hpp>

#include "support/gate_test.hpp"

namespace ban_set_not_null_test {  // per-file scope: the tests are also built as one unity TU

using schemagate::testing::run_files;
using schemagate::testing::run_sql;

static const std::string kGate = "lint.ban-set-not-null";

TEST_CASE("ban-set-not-null fires on SET NOT NULL of an existing table") {
  auto run = run_sql("SELECT 1;\nALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL;\n");
  auto found = run.of(kGate);
  REQUIRE(found.size() == 1);
  CHECK(run.positions(kGate) == std::vector<std::string>{"2:1"});
  CHECK(found[0].message ==
        "SET NOT NULL on orders.customer_id holds an ACCESS EXCLUSIVE lock on orders while every row is "
        "checked: "
        "it blocks all reads and writes on orders until the scan ends.");
  CHECK(found[0].help ==
        "Prove customer_id has no NULLs with a CHECK constraint added NOT VALID and validated in a separate "
        "migration; SET NOT NULL then skips the scan.");
  CHECK(
      found[0].steps ==
      std::vector<std::string>{
          "ALTER TABLE orders ADD CONSTRAINT orders_customer_id_not_null CHECK (customer_id IS NOT NULL) NOT "
          "VALID;",
          "In a separate migration (its own transaction): ALTER TABLE orders VALIDATE CONSTRAINT "
          "orders_customer_id_not_null; (SHARE UPDATE EXCLUSIVE: reads and writes go on)",
          "ALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL; (uses the valid constraint, no scan)",
          "ALTER TABLE orders DROP CONSTRAINT orders_customer_id_not_null;"});
}

TEST_CASE("ban-set-not-null before PostgreSQL 12 keeps the CHECK instead") {
  schemagate::testing::RunOptions opts;
  opts.pg_major = 11;
  auto found = run_sql("ALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL;", opts).of(kGate);
  REQUIRE(found.size() == 1);
  CHECK(found[0].help ==
        "Before PostgreSQL 12 SET NOT NULL always scans: enforce it with a CHECK constraint added NOT VALID "
        "and "
        "validated in a separate migration instead.");
  CHECK(found[0].steps.size() == 2);
}

TEST_CASE("ban-set-not-null is silent after a validated IS NOT NULL check") {
  auto same = run_sql(
      "ALTER TABLE orders ADD CONSTRAINT orders_cid_nn CHECK (customer_id IS NOT NULL) NOT VALID;\n"
      "ALTER TABLE orders VALIDATE CONSTRAINT orders_cid_nn;\n"
      "ALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL;\n");
  CHECK(same.of(kGate).empty());
  auto across =
      run_files({{"001_check.up.sql",
                  "ALTER TABLE orders ADD CONSTRAINT nn CHECK (customer_id IS NOT NULL) NOT VALID;"},
                 {"002_validate.up.sql", "ALTER TABLE orders VALIDATE CONSTRAINT nn;"},
                 {"003_not_null.up.sql", "ALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL;"}});
  CHECK(across.of(kGate).empty());
}

TEST_CASE("ban-set-not-null still fires when the check was never validated or is on another column") {
  auto run = run_sql(
      "ALTER TABLE orders ADD CONSTRAINT nn CHECK (customer_id IS NOT NULL) NOT VALID;\n"
      "ALTER TABLE orders ADD CONSTRAINT other CHECK (note IS NOT NULL);\n"
      "ALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL;\n");
  CHECK(run.positions(kGate) == std::vector<std::string>{"3:1"});
}

TEST_CASE("ban-set-not-null ignores a table created earlier in the same migration") {
  auto run = run_sql("CREATE TABLE invoices (a int);\nALTER TABLE invoices ALTER COLUMN a SET NOT NULL;\n");
  CHECK(run.of(kGate).empty());
}

TEST_CASE("ban-set-not-null can be suppressed with a reason") {
  auto run = run_sql(
      "-- schemagate:ignore lint.ban-set-not-null table has 200 rows\n"
      "ALTER TABLE plans ALTER COLUMN name SET NOT NULL;\n");
  CHECK(run.of(kGate).empty());
  CHECK(run.of("lint.unused-suppression").empty());
}

}  // namespace ban_set_not_null_test
