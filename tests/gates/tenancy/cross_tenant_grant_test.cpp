#include <catch2/catch.hpp>

#include "support/tenant_test.hpp"

namespace cross_tenant_grant_test {  // per-file scope: the tests are also built as one unity TU

using namespace schemagate::testing;

static const std::string kGate = "tenancy.cross-tenant-grant";

TEST_CASE("cross-tenant-grant fires on PUBLIC and on another tenant's role") {
  auto run = run_as_acme(
      "GRANT SELECT ON tenant_acme.invoices TO PUBLIC;\nGRANT SELECT ON tenant_acme.invoices TO "
      "globex_reader;\n");
  auto found = run.of(kGate);
  REQUIRE(found.size() == 2);
  CHECK(run.positions(kGate) == std::vector<std::string>{"1:1", "2:1"});
  CHECK(found[0].message ==
        "Tenant acme's migration grants privileges to PUBLIC: every role of every tenant gets them.");
  CHECK(found[1].message ==
        "Tenant acme's migration grants privileges to role globex_reader, which is not one of tenant acme's "
        "roles.");
}

TEST_CASE("cross-tenant-grant covers role membership and default privileges") {
  auto run = run_as_acme(
      "GRANT acme_rw TO globex_app;\nALTER DEFAULT PRIVILEGES IN SCHEMA tenant_acme GRANT SELECT ON TABLES "
      "TO "
      "initech_bi;\n");
  CHECK(run.of(kGate).size() == 2);
}

TEST_CASE("cross-tenant-grant is silent for the tenant's own roles and for REVOKE FROM PUBLIC") {
  auto run = run_as_acme(
      "GRANT SELECT ON tenant_acme.invoices TO acme_reader;\n"
      "GRANT USAGE ON SCHEMA tenant_acme TO tenant_acme_app;\n"
      "REVOKE ALL ON tenant_acme.invoices FROM PUBLIC;\n");
  CHECK(run.of(kGate).empty());
}

TEST_CASE("cross-tenant-grant can be suppressed with a reason") {
  auto run = run_as_acme(
      "-- schemagate:ignore tenancy.cross-tenant-grant read-only reporting role of the platform\n"
      "GRANT SELECT ON tenant_acme.invoices TO platform_reporting;\n");
  CHECK(run.of(kGate).empty());
}

}  // namespace cross_tenant_grant_test
