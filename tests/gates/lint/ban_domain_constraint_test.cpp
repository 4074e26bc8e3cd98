#include <catch2/catch.hpp>

#include "support/gate_test.hpp"

namespace ban_domain_constraint_test {  // per-file scope: the tests are also built as one unity TU

using schemagate::testing::run_sql;

static const std::string kGate = "lint.ban-domain-constraint";

TEST_CASE("ban-domain-constraint fires on ALTER DOMAIN ADD CONSTRAINT without NOT VALID") {
  auto run = run_sql("SELECT 1;\nALTER DOMAIN amount ADD CONSTRAINT amount_positive CHECK (VALUE > 0);\n");
  auto found = run.of(kGate);
  REQUIRE(found.size() == 1);
  CHECK(run.positions(kGate) == std::vector<std::string>{"2:1"});
  CHECK(found[0].message ==
        "ALTER DOMAIN amount ADD CONSTRAINT reads every row of every table with a column of domain amount, "
        "holding a SHARE lock on each: it blocks writes (INSERT, UPDATE, DELETE), not reads on them until it "
        "ends.");
  CHECK(found[0].help ==
        "Add the constraint NOT VALID (new values are checked at once), and validate existing data only in a "
        "maintenance window.");
  REQUIRE(found[0].steps.size() == 3);
  CHECK(found[0].severity == schemagate::gates::Severity::kWarning);
}

TEST_CASE("ban-domain-constraint fires on VALIDATE CONSTRAINT and SET NOT NULL") {
  auto run = run_sql(
      "ALTER DOMAIN amount VALIDATE CONSTRAINT amount_positive;\nALTER DOMAIN amount SET NOT NULL;\n");
  auto found = run.of(kGate);
  REQUIRE(found.size() == 2);
  CHECK(found[0].message.rfind("ALTER DOMAIN amount VALIDATE CONSTRAINT amount_positive reads every row",
                               0) == 0);
  CHECK(found[1].message.rfind("ALTER DOMAIN amount SET NOT NULL reads every row", 0) == 0);
}

TEST_CASE("ban-domain-constraint is silent for NOT VALID and other domain changes") {
  CHECK(run_sql("ALTER DOMAIN amount ADD CONSTRAINT p CHECK (VALUE > 0) NOT VALID;").of(kGate).empty());
  CHECK(run_sql("ALTER DOMAIN amount DROP CONSTRAINT p;").of(kGate).empty());
  CHECK(run_sql("ALTER DOMAIN amount DROP NOT NULL;").of(kGate).empty());
}

TEST_CASE("ban-domain-constraint can be suppressed with a reason") {
  auto run = run_sql(
      "-- schemagate:ignore lint.ban-domain-constraint used by one 50-row table\n"
      "ALTER DOMAIN amount ADD CONSTRAINT amount_positive CHECK (VALUE > 0);\n");
  CHECK(run.of(kGate).empty());
  CHECK(run.of("lint.unused-suppression").empty());
}

}  // namespace ban_domain_constraint_test
