#include <catch2/catch.hpp>

#include "support/gate_test.hpp"

namespace require_not_valid_check_test {  // per-file scope: the tests are also built as one unity TU

using schemagate::testing::run_sql;

static const std::string kGate = "lint.require-not-valid-check";

TEST_CASE("require-not-valid-check fires on ADD CHECK without NOT VALID") {
  auto run = run_sql("SET lock_timeout = '2s';\n  ALTER TABLE orders ADD CHECK (amount >= 0);\n");
  auto found = run.of(kGate);
  REQUIRE(found.size() == 1);
  CHECK(run.positions(kGate) == std::vector<std::string>{"2:3"});
  CHECK(found[0].message ==
        "ADD CHECK orders_amount_check on orders holds an ACCESS EXCLUSIVE lock on orders while every row is "
        "checked: it blocks all reads and writes on orders until the scan ends.");
  CHECK(found[0].help ==
        "Add orders_amount_check with NOT VALID, then VALIDATE CONSTRAINT it in a separate migration, which "
        "only "
        "takes SHARE UPDATE EXCLUSIVE on orders.");
  CHECK(found[0].steps == std::vector<std::string>{
                              "ALTER TABLE orders ADD CONSTRAINT orders_amount_check CHECK (...) NOT VALID;",
                              "In a separate migration (its own transaction): ALTER TABLE orders VALIDATE "
                              "CONSTRAINT orders_amount_check;"});
  CHECK(run.verdict.decision == schemagate::gates::Decision::kDeny);
}

TEST_CASE("require-not-valid-check fires on a CHECK of a new column and never echoes literals") {
  auto run =
      run_sql("ALTER TABLE orders ADD COLUMN code text CONSTRAINT code_ok CHECK (code <> 'secret-x');");
  auto found = run.of(kGate);
  REQUIRE(found.size() == 1);
  CHECK(found[0].message.find("code_ok") != std::string::npos);
  REQUIRE(found[0].steps.size() == 3);
  CHECK(found[0].steps[0] == "Add the column without the CHECK: ALTER TABLE orders ADD COLUMN code ...;");
  for (const auto& s : found[0].steps)
    CHECK(s.find("secret-x") == std::string::npos);
}

TEST_CASE("require-not-valid-check is silent with NOT VALID") {
  CHECK(run_sql("ALTER TABLE orders ADD CONSTRAINT c CHECK (amount >= 0) NOT VALID;").of(kGate).empty());
  CHECK(run_sql("ALTER TABLE orders VALIDATE CONSTRAINT c;").of(kGate).empty());
}

TEST_CASE("require-not-valid-check ignores a table created earlier in the same migration") {
  auto run = run_sql("CREATE TABLE invoices (amount int);\nALTER TABLE invoices ADD CHECK (amount >= 0);\n");
  CHECK(run.of(kGate).empty());
}

TEST_CASE("require-not-valid-check can be suppressed with a reason") {
  auto run = run_sql(
      "-- schemagate:ignore lint.require-not-valid-check table is tiny\n"
      "ALTER TABLE settings ADD CHECK (length(key) > 0);\n");
  CHECK(run.of(kGate).empty());
  CHECK(run.of("lint.unused-suppression").empty());
}

}  // namespace require_not_valid_check_test
