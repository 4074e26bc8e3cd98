#include <catch2/catch.hpp>

#include "support/gate_test.hpp"

namespace prefer_jsonb_test {  // per-file scope: the tests are also built as one unity TU

using schemagate::testing::run_sql;

static const std::string kGate = "lint.prefer-jsonb";

TEST_CASE("prefer-jsonb warns on a json column, at the column name") {
  auto run = run_sql("CREATE TABLE events (\n  id bigint,\n  payload json NOT NULL\n);\n");
  auto found = run.of(kGate);
  REQUIRE(found.size() == 1);
  CHECK(run.positions(kGate) == std::vector<std::string>{"3:3"});
  CHECK(found[0].message ==
        "Column events.payload is json, which keeps the text as written, reparses it on every access and has "
        "no "
        "equality operator, so it has no GIN indexing and cannot be compared or used in DISTINCT and GROUP "
        "BY.");
  CHECK(found[0].help ==
        "Declare events.payload as jsonb, unless the exact text, key order or duplicate keys must be kept.");
}

TEST_CASE("prefer-jsonb covers ADD COLUMN and ALTER COLUMN TYPE") {
  auto run =
      run_sql("ALTER TABLE events ADD COLUMN meta json, ALTER COLUMN body TYPE json USING body::json;");
  CHECK(run.of(kGate).size() == 2);
}

TEST_CASE("prefer-jsonb is silent for jsonb, a user type named json, and casts") {
  auto run = run_sql(
      "CREATE TABLE e (a jsonb, b app.json, json text);\n"
      "SELECT '{}'::json;\n");
  CHECK(run.of(kGate).empty());
}

TEST_CASE("prefer-jsonb can be suppressed with a reason") {
  auto run = run_sql(
      "-- schemagate:ignore lint.prefer-jsonb bodies are kept byte for byte for signatures\n"
      "CREATE TABLE webhook_deliveries (body json NOT NULL);\n");
  CHECK(run.of(kGate).empty());
  CHECK(run.of("lint.unused-suppression").empty());
}

}  // namespace prefer_jsonb_test
