#include <catch2/catch.hpp>

#include "support/tenant_test.hpp"

namespace require_owned_target_test {  // per-file scope: the tests are also built as one unity TU

using namespace schemagate::testing;

static const std::string kGate = "tenancy.require-owned-target";

static Run job(const std::string& ns, const std::vector<std::string>& annotations,
               const std::string& policy = "") {
  ClusterRunOptions o;
  o.cluster_yaml = three_tenants_yaml();
  o.job_yaml = migration_job_yaml("migrate", ns, annotations);
  o.sql_files = {{"configmap/sql/1_x.up.sql", "SELECT 1;\n"}};
  o.policy_yaml = policy;
  return run_cluster(o);
}

TEST_CASE("require-owned-target fires when the database annotation names another tenant's database") {
  auto run = job("acme", {"schemagate.io/database: globex_db"});
  auto found = run.of(kGate);
  REQUIRE(found.size() == 1);
  CHECK(found[0].location.source == "metadata.annotations[schemagate.io/database]");
  CHECK(found[0].message ==
        "Job migrate in tenant acme's namespace targets database globex_db, tenant globex's database.");
  CHECK(found[0].help ==
        "Set schemagate.io/database to one of tenant acme's databases (acme), or run the Job in the owning "
        "tenant's "
        "namespace.");
}

TEST_CASE("require-owned-target fires on a schema annotation no tenant owns") {
  auto run = job("globex", {"schemagate.io/schema: tenant_acme"});
  REQUIRE(run.of(kGate).size() == 1);
  CHECK(run.of(kGate)[0].message ==
        "Job migrate in tenant globex's namespace targets schema tenant_acme, tenant acme's schema.");
  auto unknown = job("globex", {"schemagate.io/schema: scratch"});
  REQUIRE(unknown.of(kGate).size() == 1);
  CHECK(unknown.of(kGate)[0].message ==
        "Job migrate in tenant globex's namespace targets schema scratch, a schema tenant globex does not "
        "own.");
}

TEST_CASE("require-owned-target is silent for owned targets, defaults from templates, and unlabelled Jobs") {
  CHECK(job("globex", {"schemagate.io/database: globex_db", "schemagate.io/schema: globex_audit"})
            .of(kGate)
            .empty());
  // initech has no annotations: the policy templates give tenant_initech and initech.
  CHECK(job("initech", {"schemagate.io/database: initech", "schemagate.io/schema: tenant_initech"})
            .of(kGate)
            .empty());
}

TEST_CASE("require-owned-target follows the policy templates") {
  std::string policy = "tenancy:\n  schemaTemplate: \"s_{tenant}\"\n  databaseTemplate: \"db_{tenant}\"\n";
  CHECK(job("initech", {"schemagate.io/database: db_initech", "schemagate.io/schema: s_initech"}, policy)
            .of(kGate)
            .empty());
  CHECK(job("initech", {"schemagate.io/database: initech"}, policy).of(kGate).size() == 1);
}

TEST_CASE("require-owned-target is turned off per namespace by the policy, not by SQL comments") {
  auto run = job("acme", {"schemagate.io/database: globex_db"},
                 "namespaces:\n  acme:\n    gates:\n      tenancy.require-owned-target: off\n");
  CHECK(run.of(kGate).empty());
}

}  // namespace require_owned_target_test
