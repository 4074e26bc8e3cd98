#include <catch2/catch.hpp>

#include "support/job_test.hpp"

namespace require_active_deadline_test {  // per-file scope: the tests are also built as one unity TU

using schemagate::testing::hardened_job;
using schemagate::testing::JobRunOptions;
using schemagate::testing::run_job;

static const std::string kGate = "job.require-active-deadline";

TEST_CASE("require-active-deadline fires when activeDeadlineSeconds is absent") {
  auto job = hardened_job();
  job["spec"].erase("activeDeadlineSeconds");
  auto found = run_job(job).of(kGate);
  REQUIRE(found.size() == 1);
  CHECK(found[0].location.display() == "spec.activeDeadlineSeconds");
  CHECK(found[0].message ==
        "Job migrate-orders has no spec.activeDeadlineSeconds: a migration stuck behind a lock can run, and "
        "hold its own locks, indefinitely.");
  CHECK(found[0].help ==
        "Set spec.activeDeadlineSeconds (for example 1800) so Kubernetes stops a migration that runs too "
        "long.");
}

TEST_CASE("require-active-deadline is silent when a deadline is set") {
  CHECK(run_job(hardened_job()).of(kGate).empty());
}

TEST_CASE("require-active-deadline ignores Jobs that are not migrations") {
  auto job = hardened_job();
  job["metadata"]["labels"]["schemagate.io/migration"] = "false";
  job["spec"].erase("activeDeadlineSeconds");
  CHECK(run_job(job).of(kGate).empty());
}

TEST_CASE("require-active-deadline option max_seconds bounds the deadline") {
  JobRunOptions opts;
  opts.policy_yaml = "gates:\n  job.require-active-deadline:\n    max_seconds: 900\n";
  auto found = run_job(hardened_job(), opts).of(kGate);
  REQUIRE(found.size() == 1);
  CHECK(found[0].message ==
        "Job migrate-orders sets spec.activeDeadlineSeconds to 1800, above the policy's maximum of 900 "
        "seconds.");
  CHECK(found[0].help ==
        "Set spec.activeDeadlineSeconds to at most 900, or split the migration into shorter ones.");
  auto job = hardened_job();
  job["spec"]["activeDeadlineSeconds"] = 900;
  CHECK(run_job(job, opts).of(kGate).empty());
}

TEST_CASE("require-active-deadline is turned off by policy, or approved by annotation") {
  auto job = hardened_job();
  job["spec"].erase("activeDeadlineSeconds");
  JobRunOptions off;
  off.policy_yaml = "gates:\n  job.require-active-deadline: off\n";
  CHECK(run_job(job, off).of(kGate).empty());
  job["metadata"]["annotations"]["schemagate.io/approve"] = "job.require-active-deadline: DBA watches it";
  auto found = run_job(job).of(kGate);
  REQUIRE(found.size() == 1);
  CHECK(found[0].severity == schemagate::gates::Severity::kWarning);
  CHECK(found[0].approval == "DBA watches it");
}

}  // namespace require_active_deadline_test
