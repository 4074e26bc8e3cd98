#include <catch2/catch.hpp>

#include "support/job_test.hpp"

namespace require_backoff_limit_zero_test {  // per-file scope: the tests are also built as one unity TU

using schemagate::testing::hardened_job;
using schemagate::testing::JobRunOptions;
using schemagate::testing::run_job;

static const std::string kGate = "job.require-backoff-limit-zero";

TEST_CASE("require-backoff-limit-zero fires when backoffLimit is absent (Kubernetes default 6)") {
  auto job = hardened_job();
  job["spec"].erase("backoffLimit");
  auto found = run_job(job).of(kGate);
  REQUIRE(found.size() == 1);
  CHECK(found[0].location.display() == "spec.backoffLimit");
  CHECK(
      found[0].message ==
      "Job migrate-orders has no spec.backoffLimit, so Kubernetes retries it up to 6 times: a migration that "
      "fails half-applied would run again against a schema it already changed.");
  CHECK(found[0].help ==
        "Set spec.backoffLimit: 0 and rerun a failed migration by hand once you know what it left behind.");
  CHECK(found[0].severity == schemagate::gates::Severity::kError);
}

TEST_CASE("require-backoff-limit-zero fires on a positive backoffLimit") {
  auto job = hardened_job();
  job["spec"]["backoffLimit"] = 3;
  auto run = run_job(job);
  REQUIRE(run.of(kGate).size() == 1);
  CHECK(run.of(kGate)[0].message.rfind("Job migrate-orders sets spec.backoffLimit to 3: ", 0) == 0);
  CHECK(run.verdict.decision == schemagate::gates::Decision::kDeny);
}

TEST_CASE("require-backoff-limit-zero is silent for backoffLimit 0") {
  CHECK(run_job(hardened_job()).of(kGate).empty());
}

TEST_CASE("require-backoff-limit-zero ignores Jobs that are not migrations") {
  auto job = hardened_job();
  job["metadata"].erase("labels");
  job["spec"]["backoffLimit"] = 6;
  CHECK(run_job(job).of(kGate).empty());
}

TEST_CASE("require-backoff-limit-zero option max raises the limit") {
  JobRunOptions opts;
  opts.policy_yaml = "gates:\n  job.require-backoff-limit-zero:\n    max: 1\n";
  auto job = hardened_job();
  job["spec"]["backoffLimit"] = 1;
  CHECK(run_job(job, opts).of(kGate).empty());
  job["spec"]["backoffLimit"] = 2;
  auto found = run_job(job, opts).of(kGate);
  REQUIRE(found.size() == 1);
  CHECK(found[0].help ==
        "Set spec.backoffLimit: 1 and rerun a failed migration by hand once you know what it left behind.");
}

TEST_CASE("require-backoff-limit-zero is turned off by policy, or approved by annotation") {
  auto job = hardened_job();
  job["spec"]["backoffLimit"] = 2;
  JobRunOptions off;
  off.policy_yaml = "gates:\n  job.require-backoff-limit-zero: off\n";
  CHECK(run_job(job, off).of(kGate).empty());

  job["metadata"]["annotations"]["schemagate.io/approve"] =
      "job.require-backoff-limit-zero: idempotent backfill";
  auto run = run_job(job);
  REQUIRE(run.of(kGate).size() == 1);
  CHECK(run.of(kGate)[0].severity == schemagate::gates::Severity::kWarning);
  CHECK(run.of(kGate)[0].approval == "idempotent backfill");
  CHECK(run.verdict.approved_gates == std::vector<std::string>{kGate});
}

}  // namespace require_backoff_limit_zero_test
