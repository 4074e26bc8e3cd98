#include <catch2/catch.hpp>

#include "support/gate_test.hpp"

namespace require_row_level_security_test {  // per-file scope: the tests are also built as one unity TU

using namespace schemagate::testing;

static const std::string kGate = "tenancy.require-row-level-security";
static const std::string kShared = "tenancy:\n  model: shared-schema\n";

static Run shared(const std::string& sql, const std::string& extra = "") {
  RunOptions o;
  o.policy_yaml = kShared + extra;
  return run_sql(sql, o);
}

TEST_CASE("require-row-level-security fires on a new table without RLS or policy") {
  auto run = shared("\nCREATE TABLE invoices (id bigint, tenant_id bigint);\n");
  auto found = run.of(kGate);
  REQUIRE(found.size() == 1);
  CHECK(run.positions(kGate) == std::vector<std::string>{"2:1"});
  CHECK(found[0].message ==
        "Table invoices is shared by every tenant, but row-level security is not enabled and no policy is "
        "created.");
  REQUIRE(found[0].steps.size() == 2);
  CHECK(found[0].steps[0] == "ALTER TABLE invoices ENABLE ROW LEVEL SECURITY;");
}

TEST_CASE("require-row-level-security distinguishes a missing policy from a missing ENABLE") {
  auto no_policy = shared("CREATE TABLE i (tenant_id bigint);\nALTER TABLE i ENABLE ROW LEVEL SECURITY;\n");
  REQUIRE(no_policy.of(kGate).size() == 1);
  CHECK(no_policy.of(kGate)[0].message ==
        "Table i is shared by every tenant, but row-level security is enabled but no policy is created (all "
        "rows are "
        "hidden from non-owners).");
}

TEST_CASE("require-row-level-security is silent with both, also across migrations, and in other models") {
  CHECK(shared("CREATE TABLE i (tenant_id bigint);\nALTER TABLE i ENABLE ROW LEVEL SECURITY;\n"
               "CREATE POLICY p ON i USING (tenant_id = 1);\n")
            .of(kGate)
            .empty());
  RunOptions o;
  o.policy_yaml = kShared;
  auto run = run_files(
      {{"1_a.up.sql", "CREATE TABLE i (tenant_id bigint);"},
       {"2_b.up.sql", "ALTER TABLE i ENABLE ROW LEVEL SECURITY;\nCREATE POLICY p ON i USING (true);"}},
      o);
  CHECK(run.of(kGate).empty());
  CHECK(run_sql("CREATE TABLE i (tenant_id bigint);").of(kGate).empty());
}

TEST_CASE("require-row-level-security option exempt_tables") {
  CHECK(shared("CREATE TABLE countries (code text);",
               "gates:\n  tenancy.require-row-level-security:\n    exempt_tables: [countries]\n")
            .of(kGate)
            .empty());
}

TEST_CASE("require-row-level-security can be suppressed with a reason") {
  CHECK(shared("-- schemagate:ignore tenancy.require-row-level-security read-only reference data\n"
               "CREATE TABLE countries (code text);")
            .of(kGate)
            .empty());
}

}  // namespace require_row_level_security_test
