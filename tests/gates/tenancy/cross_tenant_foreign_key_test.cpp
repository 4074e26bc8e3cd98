#include <catch2/catch.hpp>

#include "support/tenant_test.hpp"

namespace cross_tenant_foreign_key_test {  // per-file scope: the tests are also built as one unity TU

using namespace schemagate::testing;

static const std::string kGate = "tenancy.cross-tenant-foreign-key";

TEST_CASE("cross-tenant-foreign-key fires on a reference into another tenant's schema") {
  auto run = run_as_acme(
      "ALTER TABLE tenant_acme.invoices\n"
      "  ADD CONSTRAINT invoices_order_fk FOREIGN KEY (order_id) REFERENCES globex_main.orders (id) NOT "
      "VALID;\n");
  auto found = run.of(kGate);
  REQUIRE(found.size() == 1);
  CHECK(run.positions(kGate) == std::vector<std::string>{"2:70"});
  CHECK(found[0].message ==
        "Foreign key from tenant acme's tenant_acme.invoices references tenant globex's table "
        "globex_main.orders: "
        "the tenants' data can no longer be moved, restored or deleted apart.");
  CHECK(found[0].help ==
        "Reference only tables in tenant acme's schemas (tenant_acme) or in a shared schema.");
  REQUIRE(found[0].steps.size() == 2);
  CHECK(found[0].steps[0] == "Tenant globex (namespace globex) owns schema globex_main.");
}

TEST_CASE("cross-tenant-foreign-key fires in CREATE TABLE column references to unowned schemas") {
  auto run = run_as_acme("CREATE TABLE tenant_acme.t (id bigint, x bigint REFERENCES other.things (id));\n");
  REQUIRE(run.of(kGate).size() == 1);
  CHECK(run.of(kGate)[0].message ==
        "Foreign key from tenant acme's tenant_acme.t references table other.things in schema other, which "
        "tenant "
        "acme does not own: the tenants' data can no longer be moved, restored or deleted apart.");
}

TEST_CASE("cross-tenant-foreign-key is silent for own, unqualified and shared targets") {
  auto run = run_as_acme(
      "CREATE TABLE tenant_acme.a (id bigint PRIMARY KEY);\n"
      "CREATE TABLE tenant_acme.b (a_id bigint REFERENCES tenant_acme.a (id), c bigint REFERENCES "
      "public.countries (id), d bigint REFERENCES a (id));\n");
  CHECK(run.of(kGate).empty());
}

TEST_CASE("cross-tenant-foreign-key is off in shared-schema tenancy, where every table is shared") {
  CHECK(run_as_acme("CREATE TABLE t (x bigint REFERENCES globex_main.orders (id));\n",
                    "tenancy:\n  model: shared-schema\n")
            .of(kGate)
            .empty());
}

TEST_CASE("cross-tenant-foreign-key can be suppressed with a reason") {
  auto run = run_as_acme(
      "-- schemagate:ignore tenancy.cross-tenant-foreign-key migration of a merged customer\n"
      "CREATE TABLE t (x bigint REFERENCES globex_main.orders (id));\n");
  CHECK(run.of(kGate).empty());
}

}  // namespace cross_tenant_foreign_key_test
