#include <catch2/catch.hpp>

#include "support/tenant_test.hpp"

namespace one_migration_per_database_test {  // per-file scope: the tests are also built as one unity TU

using namespace schemagate::testing;

static const std::string kGate = "concurrency.one-migration-per-database";

static const std::string kComplete = "status:\n  conditions:\n  - type: Complete\n    status: \"True\"\n";
static const std::string kFailed = "status:\n  conditions:\n  - type: Failed\n    status: \"True\"\n";

// A second tenant with two databases, so "another database of the same tenant" can be tested.
static const std::string kTwoDatabases =
    "---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: hooli\n  labels: {schemagate.io/tenant: "
    "hooli}\n"
    "  annotations: {schemagate.io/databases: \"hooli_main,hooli_search\"}\n";

static Run review(const std::string& name, const std::string& ns, const std::vector<std::string>& annotations,
                  const std::string& cluster_jobs, const std::string& policy = "") {
  ClusterRunOptions o;
  o.cluster_yaml = three_tenants_yaml() + kTwoDatabases + cluster_jobs;
  o.job_yaml = migration_job_yaml(name, ns, annotations);
  o.sql_files = {{"configmap/sql/1_x.up.sql", "SELECT 1;\n"}};
  o.policy_yaml = policy;
  return run_cluster(o);
}

static std::string running(const std::string& name, const std::string& ns,
                           const std::vector<std::string>& annotations = {}, const std::string& status = "") {
  return "---\n" + migration_job_yaml(name, ns, annotations) + status;
}

TEST_CASE("one-migration-per-database fires while a migration of the tenant's default database runs") {
  auto run = review("migrate-2", "acme", {}, running("migrate-1", "acme"));
  auto found = run.of(kGate);
  REQUIRE(found.size() == 1);
  CHECK(found[0].location.source == "metadata.namespace");
  CHECK(found[0].severity == schemagate::gates::Severity::kError);
  CHECK(found[0].message ==
        "Job migrate-2 migrates database acme of tenant acme while migration Job migrate-1 in namespace acme "
        "has not finished: two migrations of one database interleave their locks and versions.");
  CHECK(found[0].help ==
        "Wait until Job acme/migrate-1 completes or fails (kubectl wait --for=condition=complete "
        "job/migrate-1 -n acme), or delete it, then create this Job again.");
}

TEST_CASE("one-migration-per-database compares the annotation with the other Job's default database") {
  // globex's default database is its first schemagate.io/databases entry.
  auto run =
      review("migrate-2", "globex", {"schemagate.io/database: globex_db"}, running("migrate-1", "globex"));
  auto found = run.of(kGate);
  REQUIRE(found.size() == 1);
  CHECK(found[0].location.source == "metadata.annotations[schemagate.io/database]");
  CHECK(
      found[0].message ==
      "Job migrate-2 migrates database globex_db of tenant globex while migration Job migrate-1 in namespace "
      "globex has not finished: two migrations of one database interleave their locks and versions.");
}

TEST_CASE("one-migration-per-database is silent without another running migration of the database") {
  CHECK(review("migrate-2", "acme", {}, "").of(kGate).empty());
  // Another tenant's database.
  CHECK(review("migrate-2", "acme", {}, running("migrate-1", "initech")).of(kGate).empty());
  // Another database of the same tenant.
  CHECK(review("migrate-2", "hooli", {"schemagate.io/database: hooli_search"}, running("migrate-1", "hooli"))
            .of(kGate)
            .empty());
  CHECK(review("migrate-2", "hooli", {"schemagate.io/database: hooli_main"}, running("migrate-1", "hooli"))
            .of(kGate)
            .size() == 1);
}

TEST_CASE("one-migration-per-database does not count finished Jobs, the Job itself or unlabelled Jobs") {
  CHECK(review("migrate-2", "acme", {}, running("migrate-1", "acme", {}, kComplete)).of(kGate).empty());
  CHECK(review("migrate-2", "acme", {}, running("migrate-1", "acme", {}, kFailed)).of(kGate).empty());
  // An UPDATE (or a retried CREATE) sees the Job itself in the view.
  CHECK(review("migrate-1", "acme", {}, running("migrate-1", "acme")).of(kGate).empty());
  // A Job of the same name in another namespace is another Job.
  CHECK(review("migrate-1", "acme", {"schemagate.io/database: acme"},
               running("migrate-1", "globex", {"schemagate.io/database: acme"}))
            .of(kGate)
            .empty());  // tenant globex's "acme" database is not tenant acme's
  std::string unlabelled =
      "---\napiVersion: batch/v1\nkind: Job\nmetadata:\n  name: report\n  namespace: acme\n"
      "spec:\n  template:\n    spec:\n      containers:\n      - name: r\n        image: r\n";
  CHECK(review("migrate-2", "acme", {}, unlabelled).of(kGate).empty());
}

TEST_CASE("one-migration-per-database does not count suspended Jobs, nor judge a suspended one") {
  // `schemagate plan` creates a suspended rollback Job next to the forward Job.
  std::string suspended = "---\n" + migration_job_yaml("rollback-1", "acme");
  suspended.replace(suspended.find("spec:\n"), 6, "spec:\n  suspend: true\n");
  CHECK(review("migrate-2", "acme", {}, suspended).of(kGate).empty());
  ClusterRunOptions o;
  o.cluster_yaml = three_tenants_yaml() + running("migrate-1", "acme");
  o.job_yaml = migration_job_yaml("rollback-1", "acme");
  o.job_yaml.replace(o.job_yaml.find("spec:\n"), 6, "spec:\n  suspend: true\n");
  o.sql_files = {{"configmap/sql/1_x.up.sql", "SELECT 1;\n"}};
  CHECK(run_cluster(o).of(kGate).empty());
}

TEST_CASE("one-migration-per-database follows the policy's database template") {
  std::string policy = "tenancy:\n  databaseTemplate: \"db_{tenant}\"\n";
  auto run = review("migrate-2", "initech", {},
                    running("migrate-1", "initech", {"schemagate.io/database: db_initech"}), policy);
  REQUIRE(run.of(kGate).size() == 1);
  CHECK(run.of(kGate)[0].message.rfind("Job migrate-2 migrates database db_initech of tenant initech ", 0) ==
        0);
  // Without the template, initech's default database is "initech", not db_initech.
  CHECK(review("migrate-2", "initech", {},
               running("migrate-1", "initech", {"schemagate.io/database: db_initech"}))
            .of(kGate)
            .empty());
}

TEST_CASE("one-migration-per-database is approved by annotation or turned off by the policy, not by SQL") {
  auto approved =
      review("migrate-2", "acme",
             {"schemagate.io/approve: \"concurrency.one-migration-per-database: hotfix, DBA on call\""},
             running("migrate-1", "acme"));
  REQUIRE(approved.of(kGate).size() == 1);
  CHECK(approved.of(kGate)[0].severity == schemagate::gates::Severity::kWarning);
  CHECK(approved.verdict.approved_gates == std::vector<std::string>{kGate});
  CHECK(approved.of(kGate)[0].approval == "hotfix, DBA on call");
  auto off = review("migrate-2", "acme", {}, running("migrate-1", "acme"),
                    "namespaces:\n  acme:\n    gates:\n      concurrency.one-migration-per-database: off\n");
  CHECK(off.of(kGate).empty());
}

}  // namespace one_migration_per_database_test
