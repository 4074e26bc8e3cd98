#include <catch2/catch.hpp>

#include "support/gate_test.hpp"

namespace ban_unbounded_dml_test {  // per-file scope: the tests are also built as one unity TU

using schemagate::testing::run_sql;

static const std::string kGate = "lint.ban-unbounded-dml";

TEST_CASE("ban-unbounded-dml fires on UPDATE without WHERE on an existing table") {
  auto run = run_sql("SELECT 1;\n  UPDATE orders SET currency = 'EUR';\n");
  auto found = run.of(kGate);
  REQUIRE(found.size() == 1);
  CHECK(run.positions(kGate) == std::vector<std::string>{"2:3"});
  CHECK(found[0].message ==
        "UPDATE without WHERE on orders rewrites every row in one transaction: each row stays locked against "
        "other writers until it commits, and the old row versions bloat orders until VACUUM.");
  CHECK(found[0].help ==
        "Do it in batches by key range, each in its own short transaction, outside the schema migration.");
  REQUIRE(found[0].steps.size() == 3);
  CHECK(found[0].steps[1] ==
        "Work through orders by primary key: UPDATE orders SET ... WHERE id >= $1 AND id < $2; with a few "
        "thousand rows per batch.");
  CHECK(found[0].message.find("EUR") == std::string::npos);
}

TEST_CASE("ban-unbounded-dml fires on DELETE without WHERE, also with USING") {
  auto run = run_sql("DELETE FROM sessions;\nDELETE FROM a USING b;\n");
  auto found = run.of(kGate);
  REQUIRE(found.size() == 2);
  CHECK(
      found[0].message ==
      "DELETE without WHERE on sessions deletes every row in one transaction: each row stays locked against "
      "other writers until it commits, and the dead rows bloat sessions until VACUUM.");
  CHECK(run.positions(kGate) == std::vector<std::string>{"1:1", "2:1"});
}

TEST_CASE("ban-unbounded-dml is silent with a WHERE clause") {
  auto run =
      run_sql("UPDATE orders SET currency = 'EUR' WHERE id < 1000;\nDELETE FROM sessions WHERE true;\n");
  CHECK(run.of(kGate).empty());
}

TEST_CASE("ban-unbounded-dml is silent for a table created earlier in the same script") {
  auto run = run_sql(
      "CREATE TABLE currencies (code text, active boolean);\nINSERT INTO currencies VALUES ('EUR', false);\n"
      "UPDATE currencies SET active = true;\n");
  CHECK(run.of(kGate).empty());
}

TEST_CASE("ban-unbounded-dml can be suppressed with a reason") {
  auto run = run_sql(
      "-- schemagate:ignore lint.ban-unbounded-dml lookup table of 12 rows\nUPDATE currencies SET active = "
      "true;\n");
  CHECK(run.of(kGate).empty());
  CHECK(run.of("lint.unused-suppression").empty());
}

}  // namespace ban_unbounded_dml_test
