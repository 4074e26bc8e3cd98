#include <catch2/catch.hpp>

#include "support/gate_test.hpp"

namespace ban_drop_schema_test {  // per-file scope: the tests are also built as one unity TU

using schemagate::testing::run_sql;

static const std::string kGate = "lint.ban-drop-schema";

TEST_CASE("ban-drop-schema fires on DROP SCHEMA ... CASCADE with its own message") {
  auto run = run_sql("SELECT 1;\nDROP SCHEMA billing CASCADE;\n");
  auto found = run.of(kGate);
  REQUIRE(found.size() == 1);
  CHECK(run.positions(kGate) == std::vector<std::string>{"2:1"});
  CHECK(found[0].message ==
        "DROP SCHEMA billing CASCADE deletes every table, view, function and type in billing, with all their "
        "data.");
  CHECK(found[0].help ==
        "Drop the objects in billing one by one in earlier migrations, where each drop is reviewed, then "
        "drop the "
        "empty schema without CASCADE.");
  REQUIRE(found[0].steps.size() == 4);
  CHECK(found[0].steps[3] == "Drop the empty schema without CASCADE: DROP SCHEMA billing;");
}

TEST_CASE("ban-drop-schema fires on DROP SCHEMA without CASCADE") {
  auto run = run_sql("DROP SCHEMA IF EXISTS billing, \"Reports\";");
  auto found = run.of(kGate);
  REQUIRE(found.size() == 2);
  CHECK(found[0].message ==
        "Dropping schema \"Reports\" breaks code and search_path settings that still refer to it.");
  CHECK(found[1].message ==
        "Dropping schema billing breaks code and search_path settings that still refer to it.");
}

TEST_CASE("ban-drop-schema is silent for a schema created earlier in the same script") {
  auto run =
      run_sql("CREATE SCHEMA scratch;\nCREATE TABLE scratch.t (a int);\nDROP SCHEMA scratch CASCADE;\n");
  CHECK(run.of(kGate).empty());
}

TEST_CASE("ban-drop-schema is silent for DROP TABLE in a schema") {
  CHECK(run_sql("DROP TABLE billing.invoices;").of(kGate).empty());
}

TEST_CASE("ban-drop-schema can be suppressed with a reason") {
  auto run = run_sql("-- schemagate:ignore lint.ban-drop-schema empty since 0042\nDROP SCHEMA billing;\n");
  CHECK(run.of(kGate).empty());
  CHECK(run.of("lint.unused-suppression").empty());
}

}  // namespace ban_drop_schema_test
