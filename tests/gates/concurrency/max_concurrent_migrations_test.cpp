#include <catch2/catch.hpp>

#include "support/tenant_test.hpp"

namespace max_concurrent_migrations_test {  // per-file scope: the tests are also built as one unity TU

using namespace schemagate::testing;

static const std::string kGate = "concurrency.max-concurrent-migrations";
static const std::string kLimit2 = "concurrency:\n  maxConcurrentMigrations: 2\n";
static const std::string kComplete = "status:\n  conditions:\n  - type: Complete\n    status: \"True\"\n";

static std::string job(const std::string& name, const std::string& ns, const std::string& status = "") {
  return "---\n" + migration_job_yaml(name, ns, {"schemagate.io/database: " + name}) + status;
}

static Run review(const std::string& name, const std::string& ns, const std::string& cluster_jobs,
                  const std::string& policy, const std::vector<std::string>& annotations = {}) {
  ClusterRunOptions o;
  o.cluster_yaml = three_tenants_yaml() + cluster_jobs;
  o.job_yaml = migration_job_yaml(name, ns, annotations);
  o.sql_files = {{"configmap/sql/1_x.up.sql", "SELECT 1;\n"}};
  o.policy_yaml = policy;
  return run_cluster(o);
}

TEST_CASE("max-concurrent-migrations fires when the running migrations reach the policy's limit") {
  auto run = review("migrate", "initech", job("m1", "acme") + job("m2", "globex"), kLimit2);
  auto found = run.of(kGate);
  REQUIRE(found.size() == 1);
  CHECK(found[0].location.source == "metadata.labels[schemagate.io/migration]");
  CHECK(
      found[0].message ==
      "Job migrate in namespace initech would exceed the limit of 2 concurrent migrations: 2 migration Jobs "
      "have not finished (acme/m1 and globex/m2).");
  CHECK(found[0].help ==
        "Create this Job again once one of them completes or fails, or raise "
        "concurrency.maxConcurrentMigrations "
        "in the policy if the databases can take the load.");
}

TEST_CASE("max-concurrent-migrations names three Jobs and counts the rest") {
  auto run =
      review("migrate", "initech",
             job("m1", "acme") + job("m2", "acme") + job("m3", "globex") + job("m4", "globex"), kLimit2);
  REQUIRE(run.of(kGate).size() == 1);
  CHECK(
      run.of(kGate)[0].message ==
      "Job migrate in namespace initech would exceed the limit of 2 concurrent migrations: 4 migration Jobs "
      "have not finished (acme/m1, acme/m2, globex/m3 and 1 more).");
}

TEST_CASE("max-concurrent-migrations is silent below the limit, for finished Jobs and for the Job itself") {
  CHECK(review("migrate", "initech", job("m1", "acme"), kLimit2).of(kGate).empty());
  CHECK(review("migrate", "initech", job("m1", "acme") + job("m2", "globex", kComplete), kLimit2)
            .of(kGate)
            .empty());
  // A suspended Job runs nothing.
  std::string suspended = job("m2", "globex");
  suspended.replace(suspended.find("spec:\n"), 6, "spec:\n  suspend: true\n");
  CHECK(review("migrate", "initech", job("m1", "acme") + suspended, kLimit2).of(kGate).empty());
  // An UPDATE of a running Job: the Job itself is not one of the others.
  CHECK(review("m2", "globex", job("m1", "acme") + job("m2", "globex"), kLimit2).of(kGate).empty());
}

TEST_CASE("max-concurrent-migrations takes its limit from the policy (default 20)") {
  std::string jobs;
  for (int i = 0; i < 5; ++i)
    jobs += job("m" + std::to_string(i), "acme");
  CHECK(review("migrate", "initech", jobs, "").of(kGate).empty());
  CHECK(review("migrate", "initech", jobs, "concurrency:\n  maxConcurrentMigrations: 5\n").of(kGate).size() ==
        1);
  CHECK(review("migrate", "initech", jobs, "concurrency:\n  maxConcurrentMigrations: 6\n").of(kGate).empty());
}

TEST_CASE("max-concurrent-migrations is approved by annotation or turned off by the policy, not by SQL") {
  std::string jobs = job("m1", "acme") + job("m2", "globex");
  auto approved = review("migrate", "initech", jobs, kLimit2,
                         {"schemagate.io/approve: \"concurrency.max-concurrent-migrations: incident fix\""});
  REQUIRE(approved.of(kGate).size() == 1);
  CHECK(approved.of(kGate)[0].severity == schemagate::gates::Severity::kWarning);
  CHECK(approved.verdict.approved_gates == std::vector<std::string>{kGate});
  CHECK(review("migrate", "initech", jobs, kLimit2 + "gates:\n  concurrency.max-concurrent-migrations: off\n")
            .of(kGate)
            .empty());
}

}  // namespace max_concurrent_migrations_test
