#include <catch2/catch.hpp>

#include "support/tenant_test.hpp"

namespace require_tenant_label_test {  // per-file scope: the tests are also built as one unity TU

using namespace schemagate::testing;

static const std::string kGate = "tenancy.require-tenant-label";

static Run job(const std::string& ns, const std::string& policy = "") {
  ClusterRunOptions o;
  o.cluster_yaml = three_tenants_yaml();
  o.job_yaml = migration_job_yaml("migrate", ns);
  o.sql_files = {{"configmap/sql/1_x.up.sql", "SELECT 1;\n"}};
  o.policy_yaml = policy;
  return run_cluster(o);
}

TEST_CASE("require-tenant-label fires for a migration Job in an unlabelled namespace") {
  auto run = job("tools");
  auto found = run.of(kGate);
  REQUIRE(found.size() == 1);
  CHECK(found[0].location.source == "metadata.namespace");
  CHECK(found[0].message ==
        "Migration Job migrate runs in namespace tools, which has no schemagate.io/tenant label: no tenant "
        "owns what "
        "it changes.");
  CHECK(run.verdict.decision == schemagate::gates::Decision::kDeny);
}

TEST_CASE("require-tenant-label fires for a namespace the cluster view does not know") {
  auto found = job("ghost").of(kGate);
  REQUIRE(found.size() == 1);
  CHECK(
      found[0].message ==
      "Namespace ghost of migration Job migrate is not in schemagate's view of the cluster, so its tenant is "
      "unknown.");
}

TEST_CASE("require-tenant-label is silent for tenant namespaces") {
  CHECK(job("acme").of(kGate).empty());
}

TEST_CASE("require-tenant-label obeys tenancy.unlabeledNamespace: allow") {
  CHECK(job("tools", "tenancy:\n  unlabeledNamespace: allow\n").of(kGate).empty());
}

TEST_CASE("require-tenant-label can be turned off per namespace by the policy") {
  CHECK(job("tools", "namespaces:\n  tools:\n    gates:\n      tenancy.require-tenant-label: off\n")
            .of(kGate)
            .empty());
}

}  // namespace require_tenant_label_test
