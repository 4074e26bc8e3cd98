#include <catch2/catch.hpp>

#include "support/job_test.hpp"

namespace require_migration_label_test {  // per-file scope: the tests are also built as one unity TU

using schemagate::testing::job_json;
using schemagate::testing::JobRunOptions;
using schemagate::testing::run_job;

static const std::string kGate = "job.require-migration-label";

namespace {

// An unlabelled Job with one container.
nlohmann::json plain_job(const std::string& image, const nlohmann::json& command = nullptr,
                         const nlohmann::json& args = nullptr) {
  auto job = job_json(R"(
apiVersion: batch/v1
kind: Job
metadata: {name: nightly, namespace: shop}
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: main}]
)");
  auto& c = job["spec"]["template"]["spec"]["containers"][0];
  c["image"] = image;
  if (!command.is_null()) c["command"] = command;
  if (!args.is_null()) c["args"] = args;
  return job;
}

// The evidence a finding names: the text between "migration (" and ") but".
std::string evidence(const nlohmann::json& job, const JobRunOptions& opts = {}) {
  auto found = run_job(job, opts).of(kGate);
  if (found.empty()) return "";
  const std::string& m = found[0].message;
  std::size_t open = m.find("migration (") + 11;
  return m.substr(open, m.find(") but") - open);
}

}  // namespace

TEST_CASE("require-migration-label denies an unlabelled Job running a migration tool image") {
  auto run = run_job(plain_job("migrate/migrate:v4.17.0", nullptr, {"-path", "/sql", "up"}));
  auto found = run.of(kGate);
  REQUIRE(found.size() == 1);
  CHECK(found[0].location.display() == "metadata.labels");
  CHECK(found[0].message ==
        "Job nightly looks like a database migration (image migrate/migrate) but is not labelled "
        "schemagate.io/migration: \"true\"; unlabelled migrations would bypass review.");
  CHECK(
      found[0].help ==
      "Add the label schemagate.io/migration: \"true\" to the Job's metadata.labels so its SQL is reviewed.");
  CHECK(run.verdict.decision == schemagate::gates::Decision::kDeny);
}

TEST_CASE("require-migration-label recognises tool images with registries") {
  CHECK(evidence(plain_job("flyway/flyway:10")) == "image flyway/flyway");
  CHECK(evidence(plain_job("ghcr.io/amacneil/dbmate:2")) == "image ghcr.io/amacneil/dbmate");
  CHECK(evidence(plain_job("liquibase/liquibase@sha256:ab")) == "image liquibase/liquibase");
  CHECK(evidence(plain_job("arigaio/atlas")) == "image arigaio/atlas");
}

TEST_CASE("require-migration-label recognises migration commands") {
  CHECK(evidence(plain_job("acme/api:1", {"goose"}, {"-dir", "/m", "postgres", "up"})) == "command goose");
  CHECK(evidence(plain_job("acme/api:1", {"/bin/sh", "-c"},
                           {"set -e; cd /app && exec /usr/bin/migrate -path m up"})) == "command migrate");
  CHECK(evidence(plain_job("acme/rails:1", {"bundle", "exec", "rails", "db:migrate"})) ==
        "command db:migrate");
  CHECK(evidence(plain_job("acme/web:1", {"npx", "prisma", "migrate", "deploy"})) ==
        "command prisma migrate");
  CHECK(evidence(plain_job("acme/web:1", {"python", "manage.py", "migrate", "--noinput"})) ==
        "command manage.py migrate");
  CHECK(evidence(plain_job("acme/web:1", {"npx", "knex", "migrate:latest"})) ==
        "command knex migrate:latest");
  CHECK(evidence(plain_job("postgres:16", {"psql", "-v", "ON_ERROR_STOP=1", "-f", "/sql/001.sql"})) ==
        "command psql -f");
  CHECK(evidence(plain_job("postgres:16", {"sh", "-c", "psql -c 'ALTER TABLE orders ADD COLUMN x int'"})) ==
        "command psql -c with DDL");
  CHECK(evidence(plain_job("postgres:16", {"pg_restore", "--dbname=app", "/dump"})) == "command pg_restore");
}

TEST_CASE("require-migration-label does not mistake look-alikes for migrations") {
  CHECK(evidence(plain_job("acme/migrate-logs:1", {"migrate-logs", "--from", "s3://old"})) == "");
  CHECK(evidence(plain_job("acme/etl:1", {"etl", "--migrate-only", "--target=warehouse"})) == "");
  CHECK(evidence(plain_job("postgres:16", {"psql", "-c", "SELECT count(*) FROM orders"})) == "");
  CHECK(evidence(plain_job("postgres:16", {"pg_dump", "-Fc", "-f", "/backup/app.dump"})) == "");
  CHECK(evidence(plain_job("busybox", {"sh", "-c", "echo done > /tmp/migrated"})) == "");
}

TEST_CASE("require-migration-label looks into mounted ConfigMaps when the cluster has them") {
  auto job = plain_job("acme/runner:1");
  job["spec"]["template"]["spec"]["volumes"] =
      nlohmann::json::array({{{"name", "sql"}, {"configMap", {{"name", "orders-sql"}}}}});
  JobRunOptions opts;
  schemagate::gates::ConfigMap cm;
  cm.meta.name = "orders-sql";
  cm.meta.namespace_name = "shop";
  cm.data = {{"001_init.up.sql", "CREATE TABLE t (id int);"}};
  opts.configmaps = {cm};
  CHECK(evidence(job, opts) == "ConfigMap orders-sql with SQL files");
  // A visible ConfigMap without SQL clears the Job even when its name says "migration".
  job["spec"]["template"]["spec"]["volumes"][0]["configMap"]["name"] = "log-migration-config";
  cm.meta.name = "log-migration-config";
  cm.data = {{"config.json", "{}"}};
  opts.configmaps = {cm};
  CHECK(evidence(job, opts) == "");
}

TEST_CASE("require-migration-label judges an invisible ConfigMap by its name, and reads the annotation") {
  auto job = plain_job("acme/runner:1");
  job["spec"]["template"]["spec"]["volumes"] =
      nlohmann::json::array({{{"name", "sql"}, {"configMap", {{"name", "orders-migrations"}}}}});
  CHECK(evidence(job) == "mounted ConfigMap orders-migrations");
  job["spec"]["template"]["spec"]["volumes"][0]["configMap"]["name"] = "settings";
  CHECK(evidence(job) == "");
  job["metadata"]["annotations"]["schemagate.io/migrations"] = "orders-sql";
  CHECK(evidence(job) == "annotation schemagate.io/migrations");
}

TEST_CASE("require-migration-label is silent for labelled migrations, counts other values as unlabelled") {
  auto job = plain_job("migrate/migrate:v4");
  job["metadata"]["labels"]["schemagate.io/migration"] = "true";
  CHECK(run_job(job).of(kGate).empty());
  job["metadata"]["labels"]["schemagate.io/migration"] = "false";
  CHECK(evidence(job) == "image migrate/migrate");
}

TEST_CASE("require-migration-label is turned off by policy, or approved by annotation") {
  auto job = plain_job("acme/goose:1", {"goose", "ship"});
  JobRunOptions off;
  off.policy_yaml = "namespaces:\n  shop:\n    gates:\n      job.require-migration-label: off\n";
  CHECK(run_job(job, off).of(kGate).empty());
  job["metadata"]["annotations"]["schemagate.io/approve"] =
      "job.require-migration-label: goose is our log shipper";
  auto run = run_job(job);
  REQUIRE(run.of(kGate).size() == 1);
  CHECK(run.of(kGate)[0].approval == "goose is our log shipper");
  CHECK(run.verdict.decision == schemagate::gates::Decision::kAllow);
}

}  // namespace require_migration_label_test
