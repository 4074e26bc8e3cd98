#include <catch2/catch.hpp>

#include "support/gate_test.hpp"

namespace ban_enum_add_value_unordered_test {  // per-file scope: the tests are also built as one unity TU

using schemagate::testing::run_sql;

static const std::string kGate = "lint.ban-enum-add-value-unordered";

TEST_CASE("ban-enum-add-value-unordered warns on ADD VALUE without BEFORE or AFTER") {
  auto run = run_sql("SELECT 1;\n  ALTER TYPE mood ADD VALUE IF NOT EXISTS 'meh';\n");
  auto found = run.of(kGate);
  REQUIRE(found.size() == 1);
  CHECK(run.positions(kGate) == std::vector<std::string>{"2:3"});
  CHECK(
      found[0].message ==
      "ALTER TYPE mood ADD VALUE without BEFORE or AFTER puts the new value last in the sort order of mood, "
      "which ORDER BY, comparisons and min/max on mood follow.");
  CHECK(found[0].help ==
        "State where the value belongs with BEFORE or AFTER an existing value of mood (or suppress with a "
        "reason "
        "if last is right).");
  CHECK(found[0].severity == schemagate::gates::Severity::kWarning);
  CHECK(found[0].message.find("meh") == std::string::npos);  // the label is a literal: not echoed
  CHECK(run.verdict.decision == schemagate::gates::Decision::kAllow);
}

TEST_CASE("ban-enum-add-value-unordered is silent with BEFORE or AFTER") {
  auto run = run_sql(
      "ALTER TYPE mood ADD VALUE 'meh' AFTER 'sad';\nALTER TYPE public.mood ADD VALUE 'ok' BEFORE "
      "'happy';\n");
  CHECK(run.of(kGate).empty());
}

TEST_CASE("ban-enum-add-value-unordered is silent for RENAME VALUE") {
  CHECK(run_sql("ALTER TYPE mood RENAME VALUE 'sad' TO 'unhappy';").of(kGate).empty());
}

TEST_CASE("ban-enum-add-value-unordered can be suppressed with a reason") {
  auto run = run_sql(
      "-- schemagate:ignore lint.ban-enum-add-value-unordered order of status values is not used\n"
      "ALTER TYPE order_status ADD VALUE 'refunded';\n");
  CHECK(run.of(kGate).empty());
  CHECK(run.of("lint.unused-suppression").empty());
}

}  // namespace ban_enum_add_value_unordered_test
