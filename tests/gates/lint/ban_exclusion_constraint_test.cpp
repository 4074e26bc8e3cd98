#include <catch2/catch.hpp>

#include "support/gate_test.hpp"

namespace ban_exclusion_constraint_test {  // per-file scope: the tests are also built as one unity TU

using schemagate::testing::run_sql;

static const std::string kGate = "lint.ban-exclusion-constraint";

TEST_CASE("ban-exclusion-constraint fires on ADD EXCLUDE on an existing table") {
  auto run = run_sql(
      "SELECT 1;\n"
      "ALTER TABLE bookings ADD CONSTRAINT bookings_no_overlap EXCLUDE USING gist (room_id WITH =, during "
      "WITH "
      "&&);\n");
  auto found = run.of(kGate);
  REQUIRE(found.size() == 1);
  CHECK(run.positions(kGate) == std::vector<std::string>{"2:1"});
  CHECK(found[0].message ==
        "ADD EXCLUDE bookings_no_overlap builds its index on bookings under an ACCESS EXCLUSIVE lock: it "
        "blocks "
        "all reads and writes on bookings until the build ends, and there is no concurrent way to build it.");
  CHECK(found[0].help ==
        "Add exclusion constraints when the table is created, or to bookings in a maintenance window with a "
        "short lock_timeout.");
  REQUIRE(found[0].steps.size() == 3);
  CHECK(run.verdict.decision == schemagate::gates::Decision::kDeny);
}

TEST_CASE("ban-exclusion-constraint names an unnamed constraint as PostgreSQL would") {
  auto found = run_sql("ALTER TABLE bookings ADD EXCLUDE USING gist (during WITH &&);").of(kGate);
  REQUIRE(found.size() == 1);
  CHECK(found[0].message.rfind("ADD EXCLUDE bookings_during_excl builds", 0) == 0);
}

TEST_CASE("ban-exclusion-constraint is silent for other constraints") {
  CHECK(run_sql("ALTER TABLE bookings ADD CONSTRAINT c CHECK (a > 0) NOT VALID;").of(kGate).empty());
}

TEST_CASE("ban-exclusion-constraint ignores a table created earlier in the same migration") {
  auto run = run_sql(
      "CREATE TABLE bookings (room_id int, during tstzrange);\n"
      "ALTER TABLE bookings ADD EXCLUDE USING gist (during WITH &&);\n");
  CHECK(run.of(kGate).empty());
}

TEST_CASE("ban-exclusion-constraint can be suppressed with a reason") {
  auto run = run_sql(
      "-- schemagate:ignore lint.ban-exclusion-constraint maintenance window, build measured at 4s\n"
      "ALTER TABLE bookings ADD EXCLUDE USING gist (during WITH &&);\n");
  CHECK(run.of(kGate).empty());
  CHECK(run.of("lint.unused-suppression").empty());
}

}  // namespace ban_exclusion_constraint_test
