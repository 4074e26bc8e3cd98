#include <catch2/catch.hpp>

#include "support/tenant_test.hpp"

namespace cross_tenant_schema_test {  // per-file scope: the tests are also built as one unity TU

using namespace schemagate::testing;

static const std::string kGate = "tenancy.cross-tenant-schema";

TEST_CASE("cross-tenant-schema fires on a qualified name in another tenant's schema and names both tenants") {
  auto run = run_as_acme("SET lock_timeout = '1s';\nUPDATE globex_main.orders SET total = 0 WHERE id = 1;\n");
  auto found = run.of(kGate);
  REQUIRE(found.size() == 1);
  CHECK(run.positions(kGate) == std::vector<std::string>{"2:8"});
  CHECK(found[0].message == "Tenant acme's migration changes tenant globex's schema globex_main (orders).");
  CHECK(found[0].help ==
        "Qualify objects with tenant acme's own schema (tenant_acme) or leave them unqualified and set "
        "search_path "
        "to it.");
  REQUIRE(found[0].steps.size() == 1);
  CHECK(found[0].steps[0] == "Tenant globex (namespace globex) owns globex_main.");
}

TEST_CASE("cross-tenant-schema reports reads, search_path and schemas no tenant owns") {
  auto run = run_as_acme(
      "SELECT count(*) FROM globex_audit.events;\n"
      "SET search_path TO tenant_acme, billing;\n");
  auto found = run.of(kGate);
  REQUIRE(found.size() == 2);
  CHECK(found[0].message == "Tenant acme's migration reads tenant globex's schema globex_audit (events).");
  CHECK(found[1].message ==
        "Tenant acme's migration reads schema billing, which tenant acme does not own (search_path).");
}

TEST_CASE("cross-tenant-schema is silent on the tenant's own, unqualified, system and shared-read names") {
  auto run = run_as_acme(
      "CREATE TABLE tenant_acme.invoices (id bigint);\n"
      "CREATE TABLE notes (id bigint);\n"
      "SELECT * FROM pg_catalog.pg_class;\n"
      "SELECT * FROM public.countries;\n"
      "SET search_path TO tenant_acme, public;\n");
  CHECK(run.of(kGate).empty());
}

TEST_CASE("cross-tenant-schema reports changes to a shared schema") {
  auto run = run_as_acme("ALTER TABLE public.countries ADD COLUMN iso3 text;\n");
  auto found = run.of(kGate);
  REQUIRE(found.size() == 1);
  CHECK(found[0].message ==
        "Tenant acme's migration changes shared schema public (countries), which every tenant uses.");
}

TEST_CASE("cross-tenant-schema finds other tenants' schemas in function bodies and SET ROLE") {
  auto run = run_as_acme(
      "CREATE FUNCTION tenant_acme.peek() RETURNS bigint LANGUAGE sql AS $$ SELECT count(*) FROM "
      "globex_main.orders $$;\n"
      "SET ROLE globex_owner;\n");
  auto found = run.of(kGate);
  REQUIRE(found.size() == 2);
  CHECK(found[0].message ==
        "Tenant acme's migration changes tenant globex's schema globex_main (a function body).");
  CHECK(found[1].message ==
        "Tenant acme's migration switches to role globex_owner, which is not one of its roles.");
  CHECK(run_as_acme("SET ROLE acme_migrator;\n").of(kGate).empty());
}

TEST_CASE("cross-tenant-schema reads function bodies as PostgreSQL names them: quoted, folded, once each") {
  auto run = run_as_acme(
      "CREATE FUNCTION tenant_acme.f() RETURNS void LANGUAGE plpgsql AS $$\n"
      "BEGIN\n"
      "  UPDATE \"globex_audit\".events SET seen = true;\n"
      "  DELETE FROM GLOBEX_MAIN.orders WHERE rec.id = 1;\n"
      "  DELETE FROM globex_main.carts;\n"
      "  PERFORM tenant_acme.g(), xglobex_main.h(), initech_x.k();\n"
      "END $$;\n");
  auto found = run.of(kGate);
  REQUIRE(found.size() == 2);
  CHECK(found[0].message ==
        "Tenant acme's migration changes tenant globex's schema globex_audit (a function body).");
  CHECK(found[1].message ==
        "Tenant acme's migration changes tenant globex's schema globex_main (a function body).");
  // Initech owns tenant_initech (the template); "initech_x" and "rec" are no schema of anyone.
  CHECK(run_as_acme("CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT rec.x FROM tenant_initech.t';\n")
            .of(kGate)
            .size() == 1);
}

TEST_CASE("cross-tenant-schema leaves foreign keys to tenancy.cross-tenant-foreign-key") {
  auto run = run_as_acme("CREATE TABLE t (id bigint, o bigint REFERENCES globex_main.orders (id));\n");
  CHECK(run.of(kGate).empty());
  CHECK(run.of("tenancy.cross-tenant-foreign-key").size() == 1);
}

TEST_CASE("cross-tenant-schema is silent without a tenant, and in other tenancy models") {
  ClusterRunOptions o;
  o.cluster_yaml = three_tenants_yaml();
  o.job_yaml = migration_job_yaml("tools-migrate", "tools");
  o.sql_files = {{"configmap/x/1_x.up.sql", "SELECT * FROM globex_main.orders;\n"}};
  CHECK(run_cluster(o).of(kGate).empty());
  CHECK(run_as_acme("SELECT * FROM globex_main.orders;\n", "tenancy:\n  model: database-per-tenant\n")
            .of(kGate)
            .empty());
}

TEST_CASE("cross-tenant-schema can be suppressed with a reason") {
  auto run = run_as_acme(
      "-- schemagate:ignore tenancy.cross-tenant-schema one-off data fix approved by globex\n"
      "SELECT * FROM globex_main.orders;\n");
  CHECK(run.of(kGate).empty());
  CHECK(run.of("lint.unused-suppression").empty());
}

}  // namespace cross_tenant_schema_test
