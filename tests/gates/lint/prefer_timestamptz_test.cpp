#include <catch2/catch.hpp>

#include "support/gate_test.hpp"

namespace prefer_timestamptz_test {  // per-file scope: the tests are also built as one unity TU

using schemagate::testing::run_sql;

static const std::string kGate = "lint.prefer-timestamptz";

TEST_CASE("prefer-timestamptz warns on timestamp without time zone, at the column name") {
  auto run = run_sql("SELECT 1;\nALTER TABLE orders ADD COLUMN shipped_at timestamp(3) without time zone;\n");
  auto found = run.of(kGate);
  REQUIRE(found.size() == 1);
  CHECK(run.positions(kGate) == std::vector<std::string>{"2:31"});
  CHECK(found[0].message ==
        "Column orders.shipped_at is timestamp without time zone: it stores a wall-clock time with no zone, "
        "so the "
        "same instant written from sessions in different time zones is stored as different values.");
  CHECK(found[0].help ==
        "Declare orders.shipped_at as timestamptz (timestamp with time zone), which stores an absolute "
        "instant and "
        "shows it in each session's time zone.");
}

TEST_CASE("prefer-timestamptz covers CREATE TABLE and ALTER COLUMN TYPE") {
  auto run = run_sql("CREATE TABLE e (at timestamp);\nALTER TABLE e ALTER COLUMN at TYPE timestamp;\n");
  CHECK(run.positions(kGate) == std::vector<std::string>{"1:17", "2:28"});
}

TEST_CASE("prefer-timestamptz is silent for timestamptz and for casts") {
  auto run = run_sql(
      "CREATE TABLE e (a timestamptz, b timestamp with time zone, c date);\n"
      "SELECT now()::timestamp;\n");
  CHECK(run.of(kGate).empty());
}

TEST_CASE("prefer-timestamptz can be suppressed with a reason") {
  auto run = run_sql(
      "-- schemagate:ignore lint.prefer-timestamptz local opening time, not an instant\n"
      "ALTER TABLE stores ADD COLUMN opens_at timestamp;\n");
  CHECK(run.of(kGate).empty());
  CHECK(run.of("lint.unused-suppression").empty());
}

}  // namespace prefer_timestamptz_test
