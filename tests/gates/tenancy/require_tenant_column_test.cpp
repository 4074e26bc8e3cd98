#include <catch2/catch.hpp>

#include "support/gate_test.hpp"

namespace require_tenant_column_test {  // per-file scope: the tests are also built as one unity TU

using namespace schemagate::testing;

static const std::string kGate = "tenancy.require-tenant-column";
static const std::string kShared = "tenancy:\n  model: shared-schema\n  tenantColumn: org_id\n";

static Run shared(const std::string& sql, const std::string& extra = "") {
  RunOptions o;
  o.policy_yaml = kShared + extra;
  return run_sql(sql, o);
}

TEST_CASE("require-tenant-column fires on a new table without the tenant column") {
  auto run = shared("SELECT 1;\nCREATE TABLE invoices (id bigint PRIMARY KEY, total bigint);\n");
  auto found = run.of(kGate);
  REQUIRE(found.size() == 1);
  CHECK(run.positions(kGate) == std::vector<std::string>{"2:1"});
  CHECK(found[0].message ==
        "Table invoices has no org_id column: in shared-schema tenancy its rows belong to no tenant and "
        "every tenant "
        "can see them.");
  REQUIRE(found[0].steps.size() == 3);
}

TEST_CASE("require-tenant-column is silent with the column, for partitions, and in other models") {
  CHECK(shared("CREATE TABLE invoices (id bigint, org_id bigint NOT NULL);").of(kGate).empty());
  CHECK(shared("CREATE TABLE invoices_2024 PARTITION OF invoices FOR VALUES FROM (1) TO (2);")
            .of(kGate)
            .empty());
  CHECK(run_sql("CREATE TABLE invoices (id bigint);").of(kGate).empty());
}

TEST_CASE("require-tenant-column option exempt_tables") {
  std::string opt =
      "gates:\n  tenancy.require-tenant-column:\n    exempt_tables: [countries, ref.currencies]\n";
  CHECK(shared("CREATE TABLE countries (code text);\nCREATE TABLE ref.currencies (code text);", opt)
            .of(kGate)
            .empty());
  CHECK(shared("CREATE TABLE other.currencies (code text);", opt).of(kGate).size() == 1);
}

TEST_CASE("require-tenant-column can be suppressed with a reason") {
  CHECK(shared("-- schemagate:ignore tenancy.require-tenant-column global lookup table\nCREATE TABLE t (id "
               "bigint);")
            .of(kGate)
            .empty());
}

}  // namespace require_tenant_column_test
