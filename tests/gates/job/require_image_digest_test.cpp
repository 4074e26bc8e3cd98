#include <catch2/catch.hpp>

#include "support/job_test.hpp"

namespace require_image_digest_test {  // per-file scope: the tests are also built as one unity TU

using schemagate::testing::hardened_job;
using schemagate::testing::JobRunOptions;
using schemagate::testing::run_job;

static const std::string kGate = "job.require-image-digest";

TEST_CASE("require-image-digest warns on an image pinned by tag only") {
  auto job = hardened_job();
  job["spec"]["template"]["spec"]["containers"][0]["image"] = "migrate/migrate:v4.17.0";
  auto run = run_job(job);
  auto found = run.of(kGate);
  REQUIRE(found.size() == 1);
  CHECK(found[0].location.display() == "spec.template.spec.containers[0].image");
  CHECK(found[0].severity == schemagate::gates::Severity::kWarning);
  CHECK(found[0].message ==
        "Job migrate-orders runs image migrate/migrate by tag v4.17.0 in container migrate: a tag can be "
        "moved, so the Job may run code other than what was reviewed.");
  CHECK(found[0].help ==
        "Pin the image by digest: migrate/migrate:v4.17.0@sha256:<digest> (docker buildx imagetools inspect "
        "shows it).");
}

TEST_CASE("require-image-digest checks init containers and untagged images, with registry ports") {
  auto job = hardened_job();
  job["spec"]["template"]["spec"]["initContainers"] =
      nlohmann::json::array({{{"name", "wait"}, {"image", "registry.local:5000/tools/wait-for-pg"}}});
  auto found = run_job(job).of(kGate);
  REQUIRE(found.size() == 1);
  CHECK(found[0].location.display() == "spec.template.spec.initContainers[0].image");
  CHECK(found[0].message.rfind(
            "Job migrate-orders runs image registry.local:5000/tools/wait-for-pg without a tag or digest "
            "(:latest) in container wait: ",
            0) == 0);
}

TEST_CASE("require-image-digest is silent for digests, and for Jobs that are not migrations") {
  CHECK(run_job(hardened_job()).of(kGate).empty());
  auto job = hardened_job();
  job["spec"]["template"]["spec"]["containers"][0]["image"] = "ghcr.io/acme/api@sha256:abc123";
  CHECK(run_job(job).of(kGate).empty());
  job["metadata"].erase("labels");
  job["spec"]["template"]["spec"]["containers"][0]["image"] = "busybox";
  CHECK(run_job(job).of(kGate).empty());
}

TEST_CASE("require-image-digest can be made an error, turned off, or approved") {
  auto job = hardened_job();
  job["spec"]["template"]["spec"]["containers"][0]["image"] = "migrate/migrate:v4";
  JobRunOptions opts;
  opts.policy_yaml = "gates:\n  job.require-image-digest: error\n";
  auto run = run_job(job, opts);
  REQUIRE(run.of(kGate).size() == 1);
  CHECK(run.verdict.decision == schemagate::gates::Decision::kDeny);
  opts.policy_yaml = "gates:\n  job.require-image-digest: off\n";
  CHECK(run_job(job, opts).of(kGate).empty());

  job["metadata"]["annotations"]["schemagate.io/approve"] =
      "job.require-image-digest: immutable tags in our registry";
  opts.policy_yaml = "gates:\n  job.require-image-digest: error\n";
  auto approved = run_job(job, opts).of(kGate);
  REQUIRE(approved.size() == 1);
  CHECK(approved[0].severity == schemagate::gates::Severity::kWarning);
  CHECK(approved[0].approval == "immutable tags in our registry");
}

}  // namespace require_image_digest_test
