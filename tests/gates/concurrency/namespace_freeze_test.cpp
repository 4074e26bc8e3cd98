#include <catch2/catch.hpp>

#include "support/tenant_test.hpp"

namespace namespace_freeze_test {  // per-file scope: the tests are also built as one unity TU

using namespace schemagate::testing;

static const std::string kGate = "concurrency.namespace-freeze";

static std::string frozen(const std::string& ns, const std::string& reason_yaml) {
  return "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: " + ns +
         "\n  labels: {schemagate.io/tenant: " + ns +
         "}\n  annotations:\n    schemagate.io/freeze: " + reason_yaml + "\n---\n";
}

static Run review(const std::string& cluster, const std::string& job_yaml, const std::string& policy = "") {
  ClusterRunOptions o;
  o.cluster_yaml = cluster;
  o.job_yaml = job_yaml;
  o.sql_files = {{"configmap/sql/1_x.up.sql", "SELECT 1;\n"}};
  o.policy_yaml = policy;
  return run_cluster(o);
}

TEST_CASE("namespace-freeze fires on a migration Job in a frozen namespace and quotes the reason") {
  auto run = review(frozen("vandelay", "\"restore from the 02:00 backup, ask #dba\"") + three_tenants_yaml(),
                    migration_job_yaml("migrate", "vandelay"));
  auto found = run.of(kGate);
  REQUIRE(found.size() == 1);
  CHECK(found[0].location.source == "metadata.namespace");
  CHECK(found[0].message ==
        "Namespace vandelay is frozen for migrations (\"restore from the 02:00 backup, ask #dba\"): Job "
        "migrate "
        "is not admitted.");
  CHECK(found[0].help ==
        "Wait until the freeze is lifted (kubectl annotate namespace vandelay schemagate.io/freeze-), then "
        "create this Job again.");
}

TEST_CASE("namespace-freeze keeps the message on one line and says when no reason was given") {
  auto multi =
      review(frozen("vandelay", "\"line one\\nline two\\tend\""), migration_job_yaml("migrate", "vandelay"));
  REQUIRE(multi.of(kGate).size() == 1);
  CHECK(multi.of(kGate)[0].message ==
        "Namespace vandelay is frozen for migrations (\"line one line two end\"): Job migrate is not "
        "admitted.");
  auto empty = review(frozen("vandelay", "\"\""), migration_job_yaml("migrate", "vandelay"));
  REQUIRE(empty.of(kGate).size() == 1);
  CHECK(empty.of(kGate)[0].message ==
        "Namespace vandelay is frozen for migrations (no reason given): Job migrate is not admitted.");
  auto long_reason =
      review(frozen("vandelay", std::string(300, 'x')), migration_job_yaml("migrate", "vandelay"));
  REQUIRE(long_reason.of(kGate).size() == 1);
  CHECK(long_reason.of(kGate)[0].message.find(std::string(200, 'x') + "…\")") != std::string::npos);
}

TEST_CASE("namespace-freeze is silent for other namespaces and for Jobs that are not migrations") {
  std::string cluster = frozen("vandelay", "incident") + three_tenants_yaml();
  CHECK(review(cluster, migration_job_yaml("migrate", "acme")).of(kGate).empty());
  std::string report =
      "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: report\n  namespace: vandelay\n"
      "spec:\n  template:\n    spec:\n      containers:\n      - name: r\n        image: r\n";
  CHECK(review(cluster, report).of(kGate).empty());
}

TEST_CASE("namespace-freeze is approved by annotation or turned off by the policy, not by SQL") {
  std::string cluster = frozen("vandelay", "incident");
  auto approved =
      review(cluster,
             migration_job_yaml("migrate", "vandelay",
                                {"schemagate.io/approve: \"concurrency.namespace-freeze: the fix for it\""}));
  REQUIRE(approved.of(kGate).size() == 1);
  CHECK(approved.of(kGate)[0].severity == schemagate::gates::Severity::kWarning);
  CHECK(approved.verdict.approved_gates == std::vector<std::string>{kGate});
  CHECK(review(cluster, migration_job_yaml("migrate", "vandelay"),
               "namespaces:\n  vandelay:\n    gates:\n      concurrency.namespace-freeze: off\n")
            .of(kGate)
            .empty());
}

}  // namespace namespace_freeze_test
