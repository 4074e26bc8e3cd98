#include <catch2/catch.hpp>

#include "support/job_test.hpp"

namespace require_timeouts_test {  // per-file scope: the tests are also built as one unity TU

using schemagate::testing::hardened_job;
using schemagate::testing::JobRunOptions;
using schemagate::testing::run_job;

static const std::string kGate = "job.require-timeouts";

namespace {

nlohmann::json without_pgoptions() {
  auto job = hardened_job();
  job["spec"]["template"]["spec"]["containers"][0].erase("env");
  return job;
}

constexpr const char* kHelp =
    "Set them for every connection of the migration container: PGOPTIONS: \"-c lock_timeout=5s -c "
    "statement_timeout=15min\" (or SET both at the top of every up migration).";

}  // namespace

TEST_CASE("require-timeouts fires when neither PGOPTIONS nor the SQL sets the timeouts") {
  JobRunOptions opts;
  opts.sql_files = {
      {"configmap/orders-sql/001_status.up.sql", "ALTER TABLE orders ADD COLUMN status text;\n"},
      {"configmap/orders-sql/001_status.down.sql", "ALTER TABLE orders DROP COLUMN status;\n"}};
  auto found = run_job(without_pgoptions(), opts).of(kGate);
  REQUIRE(found.size() == 1);
  CHECK(found[0].location.display() == "spec.template.spec.containers[0].env[PGOPTIONS]");
  CHECK(
      found[0].message ==
      "Job migrate-orders runs migrations without lock_timeout and statement_timeout: PGOPTIONS does not set "
      "them, nor does a SET at the top of configmap/orders-sql/001_status.up.sql, so one statement waiting "
      "for a lock can stall every query behind it.");
  CHECK(found[0].help == kHelp);
}

TEST_CASE("require-timeouts names only what is missing, and the scripts that miss it") {
  auto job = hardened_job();
  job["spec"]["template"]["spec"]["containers"][0]["env"][0]["value"] = "-c statement_timeout=15min";
  JobRunOptions opts;
  opts.sql_files = {
      {"configmap/m/001_a.up.sql", "SET lock_timeout = '2s';\nCREATE INDEX a_idx ON a (x);\n"},
      // A SET after the first locking statement is too late for it.
      {"configmap/m/002_b.up.sql", "ALTER TABLE b ADD COLUMN y int;\nSET lock_timeout = '2s';\n"},
      {"configmap/m/003_c.up.sql", "SET lock_timeout = 0;\nALTER TABLE c ADD COLUMN y int;\n"}};
  auto found = run_job(job, opts).of(kGate);
  REQUIRE(found.size() == 1);
  CHECK(
      found[0].message ==
      "Job migrate-orders runs migrations without lock_timeout: PGOPTIONS does not set it, nor does a SET at "
      "the top of configmap/m/002_b.up.sql and configmap/m/003_c.up.sql, so one statement waiting for a lock "
      "can stall every query behind it.");
}

TEST_CASE("require-timeouts fires without SQL to look at when PGOPTIONS lacks them") {
  auto found = run_job(without_pgoptions()).of(kGate);
  REQUIRE(found.size() == 1);
  CHECK(
      found[0].message ==
      "Job migrate-orders runs migrations without lock_timeout and statement_timeout: PGOPTIONS does not set "
      "them and no migration SQL is visible to check for SET, so one statement waiting for a lock can stall "
      "every query behind it.");
}

TEST_CASE("require-timeouts is silent when PGOPTIONS sets both") {
  CHECK(run_job(hardened_job()).of(kGate).empty());
  auto job = hardened_job();
  job["spec"]["template"]["spec"]["containers"][0]["env"][0]["value"] =
      "--lock-timeout=3s -cstatement_timeout=1min";
  CHECK(run_job(job).of(kGate).empty());
}

TEST_CASE("require-timeouts is silent when every up script sets both at the top") {
  JobRunOptions opts;
  const std::string head = "SET lock_timeout = '2s';\nSET statement_timeout TO '5min';\n";
  opts.sql_files = {{"001_a.up.sql", head + "CREATE INDEX a_idx ON a (x);\n"},
                    {"001_a.down.sql", "DROP INDEX a_idx;\n"},
                    {"002_b.up.sql", "BEGIN;\n" + head + "ALTER TABLE b ADD COLUMN y int;\nCOMMIT;\n"}};
  CHECK(run_job(without_pgoptions(), opts).of(kGate).empty());
}

TEST_CASE("require-timeouts treats a zero timeout in PGOPTIONS as none") {
  auto job = hardened_job();
  job["spec"]["template"]["spec"]["containers"][0]["env"][0]["value"] =
      "-c lock_timeout=0 -c statement_timeout=1h";
  auto found = run_job(job).of(kGate);
  REQUIRE(found.size() == 1);
  CHECK(found[0].message.rfind("Job migrate-orders runs migrations without lock_timeout: ", 0) == 0);
}

TEST_CASE("require-timeouts ignores Jobs that are not migrations") {
  auto job = without_pgoptions();
  job["metadata"].erase("labels");
  CHECK(run_job(job).of(kGate).empty());
}

TEST_CASE("require-timeouts is turned off by policy, or approved by annotation") {
  JobRunOptions off;
  off.policy_yaml = "gates:\n  job.require-timeouts: off\n";
  CHECK(run_job(without_pgoptions(), off).of(kGate).empty());
  auto job = without_pgoptions();
  job["metadata"]["annotations"]["schemagate.io/approve"] = "job.require-timeouts: application stopped";
  auto found = run_job(job).of(kGate);
  REQUIRE(found.size() == 1);
  CHECK(found[0].approval == "application stopped");
}

}  // namespace require_timeouts_test
