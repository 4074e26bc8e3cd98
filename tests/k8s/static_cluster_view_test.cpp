#include "k8s/static_cluster_view.hpp"

#include <catch2/catch.hpp>
#include <filesystem>
#include <thread>

#include "server/reviewer_test_support.hpp"

namespace static_cluster_view_test {  // per-file scope: the tests are also built as one unity TU

using namespace schemagate;
using testing::TempDir;

namespace {

const std::string kState = R"(# comment
apiVersion: v1
kind: Namespace
metadata:
  name: tenant-a
  labels:
    schemagate.io/tenant: a
  annotations:
    schemagate.io/schemas: tenant_a
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: cm
  namespace: tenant-a
data:
  1_x.up.sql: "SELECT 1;"
---
apiVersion: batch/v1
kind: Job
metadata:
  name: old-migration
  namespace: tenant-a
  labels:
    schemagate.io/migration: "true"
  annotations:
    schemagate.io/database: orders
spec:
  backoffLimit: 0
---
apiVersion: batch/v1
kind: Job
metadata:
  name: not-a-migration
---
apiVersion: v1
kind: List
items:
  - apiVersion: coordination.k8s.io/v1
    kind: Lease
    metadata: {name: l, namespace: tenant-a}
    spec: {holderIdentity: me, leaseDurationSeconds: 900}
)";

}  // namespace

TEST_CASE("static cluster view: loads namespaces, configmaps, jobs and leases") {
  TempDir dir;
  k8s::StaticClusterView view(dir.write("state.yaml", kState));
  CHECK(view.synced());
  auto ns = view.get_namespace("tenant-a");
  REQUIRE(ns);
  REQUIRE(ns->tenant() != nullptr);
  CHECK(*ns->tenant() == "a");
  CHECK(*ns->meta.annotation("schemagate.io/schemas") == "tenant_a");
  auto cm = view.get_configmap("tenant-a", "cm");
  REQUIRE(cm);
  CHECK(cm->data.at("1_x.up.sql") == "SELECT 1;");
  CHECK(!view.get_configmap("other", "cm"));
  auto jobs = view.migration_jobs("");
  REQUIRE(jobs.size() == 1);  // the unlabelled Job is not a migration
  CHECK(jobs[0].backoff_limit == 0);
  CHECK(view.snapshot()->jobs.size() == 2);
  CHECK(view.snapshot()->jobs[1].meta.namespace_name == "default");
  auto leases = view.list_leases("tenant-a");
  REQUIRE(leases.size() == 1);
  CHECK(leases[0].holder_identity == "me");
  CHECK(leases[0].lease_duration_seconds == 900);
}

TEST_CASE("static cluster view: quoted scalars stay strings, plain ones are typed") {
  k8s::ClusterSnapshot snap;
  std::string error;
  REQUIRE(k8s::parse_cluster_state(R"(
kind: Job
apiVersion: batch/v1
metadata: {name: j, labels: {schemagate.io/migration: "true", other: true}}
spec: {backoffLimit: 3, activeDeadlineSeconds: 60}
)",
                                   "s.yaml", snap, error));
  REQUIRE(snap.jobs.size() == 1);
  CHECK(snap.jobs[0].is_migration());
  CHECK(snap.jobs[0].meta.label("other") == nullptr);  // a boolean label is not a string label
  CHECK(snap.jobs[0].backoff_limit == 3);
  CHECK(snap.jobs[0].active_deadline_seconds == 60);
}

TEST_CASE("static cluster view: an unknown kind is an error naming file:line:col") {
  k8s::ClusterSnapshot snap;
  std::string error;
  CHECK(
      !k8s::parse_cluster_state("kind: Namespace\nmetadata: {name: a}\n---\napiVersion: v1\nkind: Pod\n"
                                "metadata: {name: p}\n",
                                "state.yaml", snap, error));
  CHECK(error == "state.yaml:5:7: unknown kind 'Pod' (expected Namespace, Job, ConfigMap, Lease or List)");
  CHECK(!k8s::parse_cluster_state("kind: [\n", "bad.yaml", snap, error));
  CHECK(error.rfind("bad.yaml:", 0) == 0);
}

TEST_CASE("static cluster view: reload on change; a bad file keeps the previous snapshot") {
  TempDir dir;
  std::string path = dir.write("state.yaml", kState);
  k8s::StaticClusterView view(path);
  auto before = view.snapshot();
  CHECK(!view.reload_if_changed());  // unchanged
  CHECK(view.snapshot() == before);

  dir.write("state.yaml", kState + "---\nkind: Namespace\nmetadata: {name: tenant-b}\n");
  CHECK(view.reload_if_changed());
  CHECK(view.get_namespace("tenant-b"));
  CHECK(before->namespaces.count("tenant-b") == 0);  // readers holding the old snapshot see it unchanged

  dir.write("state.yaml", "kind: Secret\nmetadata: {name: s}\n");
  CHECK(!view.reload_if_changed());
  CHECK(view.last_error() ==
        path + ":1:7: unknown kind 'Secret' (expected Namespace, Job, ConfigMap, Lease or List)");
  CHECK(view.get_namespace("tenant-b"));  // still the last good state
  CHECK(view.reloads_failed() == 1);
  CHECK(!view.reload_if_changed());  // the same bad file is not re-parsed or re-counted
  CHECK(view.reloads_failed() == 1);
}

TEST_CASE("static cluster view: follows a ConfigMap mount's ..data symlink swap") {
  TempDir dir;
  namespace fs = std::filesystem;
  // What the kubelet does: files live in a timestamped directory, `..data` points at
  // it, and the visible name points through `..data`; an update swaps `..data`.
  fs::create_directories(dir.path() / "..2024_01");
  dir.write("..2024_01/state.yaml", kState);
  fs::create_directory_symlink("..2024_01", dir.path() / "..data");
  fs::create_symlink("..data/state.yaml", dir.path() / "state.yaml");
  k8s::StaticClusterView view((dir.path() / "state.yaml").string());
  CHECK(!view.get_namespace("tenant-b"));

  fs::create_directories(dir.path() / "..2024_02");
  dir.write("..2024_02/state.yaml", kState + "---\nkind: Namespace\nmetadata: {name: tenant-b}\n");
  fs::create_directory_symlink("..2024_02", dir.path() / "..data_tmp");
  fs::rename(dir.path() / "..data_tmp", dir.path() / "..data");
  CHECK(view.reload_if_changed());
  CHECK(view.get_namespace("tenant-b"));
}

}  // namespace static_cluster_view_test
