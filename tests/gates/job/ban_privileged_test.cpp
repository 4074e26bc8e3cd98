#include <catch2/catch.hpp>

#include "support/job_test.hpp"

namespace ban_privileged_test {  // per-file scope: the tests are also built as one unity TU

using schemagate::testing::hardened_job;
using schemagate::testing::JobRunOptions;
using schemagate::testing::run_job;

static const std::string kGate = "job.ban-privileged";

namespace {

std::vector<std::string> locations(const schemagate::testing::Run& run) {
  std::vector<std::string> out;
  for (const auto& f : run.of(kGate))
    out.push_back(f.location.display());
  return out;
}

}  // namespace

TEST_CASE("ban-privileged fires on a privileged container") {
  auto job = hardened_job();
  job["spec"]["template"]["spec"]["containers"][0]["securityContext"] = {{"privileged", true}};
  auto found = run_job(job).of(kGate);
  REQUIRE(found.size() == 1);
  CHECK(found[0].location.display() == "spec.template.spec.containers[0].securityContext.privileged");
  CHECK(found[0].message ==
        "Job migrate-orders runs container migrate privileged: it gets every device and capability of the "
        "node.");
  CHECK(found[0].help ==
        "Remove securityContext.privileged: a migration only needs a network connection to PostgreSQL.");
}

TEST_CASE("ban-privileged fires on escalation, added capabilities and host namespaces") {
  auto job = hardened_job();
  auto& pod = job["spec"]["template"]["spec"];
  pod["hostNetwork"] = true;
  pod["hostPID"] = true;
  pod["hostIPC"] = true;
  pod["initContainers"] =
      nlohmann::json::array({{{"name", "setup"},
                              {"image", "busybox@sha256:1"},
                              {"securityContext",
                               {{"allowPrivilegeEscalation", true},
                                {"capabilities", {{"add", {"SYS_ADMIN", "cap_net_admin"}}}}}}}});
  auto run = run_job(job);
  CHECK(locations(run) == std::vector<std::string>{
                              "spec.template.spec.hostIPC",
                              "spec.template.spec.hostNetwork",
                              "spec.template.spec.hostPID",
                              "spec.template.spec.initContainers[0].securityContext.allowPrivilegeEscalation",
                              "spec.template.spec.initContainers[0].securityContext.capabilities.add",
                          });
  auto found = run.of(kGate);
  CHECK(found[1].message ==
        "Job migrate-orders sets spec.template.spec.hostNetwork: true: its pod shares the node's network "
        "namespace.");
  CHECK(
      found[4].message ==
      "Job migrate-orders adds capabilities SYS_ADMIN, NET_ADMIN to container setup: a migration needs none "
      "of them.");
}

TEST_CASE("ban-privileged is silent for a locked-down pod, and for allowPrivilegeEscalation false") {
  auto job = hardened_job();
  job["spec"]["template"]["spec"]["containers"][0]["securityContext"] = {
      {"allowPrivilegeEscalation", false}, {"privileged", false}, {"capabilities", {{"drop", {"ALL"}}}}};
  CHECK(run_job(job).of(kGate).empty());
}

TEST_CASE("ban-privileged ignores Jobs that are not migrations") {
  auto job = hardened_job();
  job["metadata"].erase("labels");
  job["spec"]["template"]["spec"]["hostNetwork"] = true;
  CHECK(run_job(job).of(kGate).empty());
}

TEST_CASE("ban-privileged option allowed_capabilities admits named capabilities, never ALL") {
  auto job = hardened_job();
  job["spec"]["template"]["spec"]["containers"][0]["securityContext"] = {
      {"capabilities", {{"add", {"NET_BIND_SERVICE", "ALL"}}}}};
  JobRunOptions opts;
  opts.policy_yaml = "gates:\n  job.ban-privileged:\n    allowed_capabilities: [NET_BIND_SERVICE, ALL]\n";
  auto found = run_job(job, opts).of(kGate);
  REQUIRE(found.size() == 1);
  CHECK(found[0].message ==
        "Job migrate-orders adds capability ALL to container migrate: a migration needs none of them.");
}

TEST_CASE("ban-privileged is turned off by policy, or approved by annotation") {
  auto job = hardened_job();
  job["spec"]["template"]["spec"]["hostPID"] = true;
  JobRunOptions off;
  off.policy_yaml = "namespaces:\n  shop:\n    gates:\n      job.ban-privileged: off\n";
  CHECK(run_job(job, off).of(kGate).empty());
  job["metadata"]["annotations"]["schemagate.io/approve"] = "job.ban-privileged: profiling, ticket OPS-1";
  auto run = run_job(job);
  REQUIRE(run.of(kGate).size() == 1);
  CHECK(run.of(kGate)[0].approval == "profiling, ticket OPS-1");
}

}  // namespace ban_privileged_test
