#include <catch2/catch.hpp>

#include "support/job_test.hpp"

namespace require_restart_policy_never_test {  // per-file scope: the tests are also built as one unity TU

using schemagate::testing::hardened_job;
using schemagate::testing::JobRunOptions;
using schemagate::testing::run_job;

static const std::string kGate = "job.require-restart-policy-never";

TEST_CASE("require-restart-policy-never fires on OnFailure") {
  auto job = hardened_job();
  job["spec"]["template"]["spec"]["restartPolicy"] = "OnFailure";
  auto found = run_job(job).of(kGate);
  REQUIRE(found.size() == 1);
  CHECK(found[0].location.display() == "spec.template.spec.restartPolicy");
  CHECK(found[0].message ==
        "Job migrate-orders sets spec.template.spec.restartPolicy to OnFailure: the kubelet would restart a "
        "failed migration container in place, rerunning a half-applied migration.");
  CHECK(found[0].help ==
        "Set spec.template.spec.restartPolicy: Never (with spec.backoffLimit: 0) so a failed migration stops "
        "and waits for a person.");
}

TEST_CASE("require-restart-policy-never fires when restartPolicy is missing") {
  auto job = hardened_job();
  job["spec"]["template"]["spec"].erase("restartPolicy");
  auto found = run_job(job).of(kGate);
  REQUIRE(found.size() == 1);
  CHECK(found[0].message.rfind("Job migrate-orders sets no spec.template.spec.restartPolicy: ", 0) == 0);
}

TEST_CASE("require-restart-policy-never is silent for Never, and for Jobs that are not migrations") {
  CHECK(run_job(hardened_job()).of(kGate).empty());
  auto job = hardened_job();
  job["metadata"].erase("labels");
  job["spec"]["template"]["spec"]["restartPolicy"] = "OnFailure";
  CHECK(run_job(job).of(kGate).empty());
}

TEST_CASE("require-restart-policy-never follows the policy severity, and approval") {
  auto job = hardened_job();
  job["spec"]["template"]["spec"]["restartPolicy"] = "OnFailure";
  JobRunOptions opts;
  opts.policy_yaml = "gates:\n  job.require-restart-policy-never: warning\n";
  auto found = run_job(job, opts).of(kGate);
  REQUIRE(found.size() == 1);
  CHECK(found[0].severity == schemagate::gates::Severity::kWarning);
  opts.policy_yaml = "gates:\n  job.require-restart-policy-never: off\n";
  CHECK(run_job(job, opts).of(kGate).empty());
  job["metadata"]["annotations"]["schemagate.io/approve"] =
      "job.require-restart-policy-never, job.require-image-digest: tool retries only its connection";
  auto approved = run_job(job).of(kGate);
  REQUIRE(approved.size() == 1);
  CHECK(approved[0].approval == "tool retries only its connection");
}

}  // namespace require_restart_policy_never_test
