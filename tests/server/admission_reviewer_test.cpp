// The reviewer end to end, without sockets: AdmissionReview text in, reply text out.
#include "server/admission_reviewer.hpp"

#include <catch2/catch.hpp>

#include "gates/job/require_migration_sql.hpp"
#include "gates/lint/require_concurrent_index.hpp"
#include "gates/lint/sql_syntax_error.hpp"
#include "server/reviewer_test_support.hpp"

namespace admission_reviewer_test {  // per-file scope: the tests are also built as one unity TU

using namespace schemagate;
using nlohmann::json;
using testing::admission_review;
using testing::migration_job;
using testing::TempDir;

namespace {

// A few gates only, so these tests pin the reviewer, not the growing gate catalogue.
const gates::Registry& test_registry() {
  static const gates::Registry* r = [] {
    auto* reg = new gates::Registry();
    reg->add(std::make_unique<gates::lint::SqlSyntaxError>());
    reg->add(std::make_unique<gates::lint::RequireConcurrentIndex>());
    reg->add(std::make_unique<gates::job::RequireMigrationSql>());
    return reg;
  }();
  return *r;
}

class ThrowingGate final : public gates::Gate {
 public:
  const gates::GateInfo& info() const override {
    static const gates::GateInfo kInfo{
        "lint.test-throws", "Throws.", gates::Category::kLint, gates::Severity::kError, {}};
    return kInfo;
  }
  void evaluate(const gates::Context&, gates::Reporter&) const override {
    throw std::runtime_error("gate exploded");
  }
};

const std::string kState = R"(
apiVersion: v1
kind: Namespace
metadata:
  name: tenant-a
  labels: {schemagate.io/tenant: a}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: safe, namespace: tenant-a}
data:
  1_create.up.sql: |
    CREATE TABLE t (id bigint);
    CREATE INDEX t_id ON t (id);
  README.md: "not SQL"
---
apiVersion: v1
kind: ConfigMap
metadata: {name: risky, namespace: tenant-a}
data:
  2_index.up.sql: |
    CREATE INDEX orders_customer_idx ON orders (customer_id);
)";

struct Fixture {
  TempDir dir;
  std::string state = dir.write("state.yaml", kState);
  std::string policy = dir.write("policy.yaml", "exemptNamespaces: [kube-system]\n");

  std::unique_ptr<server::AdmissionReviewer> reviewer(const gates::Registry& reg = test_registry()) {
    return std::make_unique<server::AdmissionReviewer>(server::ReviewerConfig{policy, state}, reg);
  }
};

json response_of(const server::ReviewOutcome& o) {
  json j = json::parse(o.body);
  return j["response"];
}

}  // namespace

TEST_CASE("reviewer: anything but a batch/v1 Job CREATE or UPDATE is allowed at once") {
  Fixture fx;
  auto r = fx.reviewer();
  json pod = {
      {"apiVersion", "v1"}, {"kind", "Pod"}, {"metadata", {{"name", "p"}, {"namespace", "tenant-a"}}}};
  auto o = r->review(admission_review("u-pod", pod).dump());
  CHECK(o.http_status == 200);
  CHECK(o.decision == "skip");
  CHECK(o.body == R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{"uid":"u-pod",)"
                  R"("allowed":true,"auditAnnotations":{"decision":"skip"}}})");

  auto del = admission_review("u-del", migration_job("j", "tenant-a", "missing"), "DELETE");
  CHECK(r->review(del.dump()).decision == "skip");

  auto exempt = admission_review("u-ex", migration_job("j", "kube-system", "missing"));
  CHECK(r->review(exempt.dump()).decision == "skip");
}

TEST_CASE("reviewer: malformed requests are HTTP 400 with a Status body") {
  Fixture fx;
  auto o = fx.reviewer()->review("{\"apiVersion\":");
  CHECK(o.http_status == 400);
  CHECK(o.uid.empty());
  CHECK(json::parse(o.body)["reason"] == "BadRequest");
}

TEST_CASE("reviewer: a clean migration is allowed, with the migration hash in the audit annotations") {
  Fixture fx;
  auto o = fx.reviewer()->review(admission_review("u-1", migration_job("j", "tenant-a", "safe")).dump());
  auto resp = response_of(o);
  CHECK(o.decision == "allow");
  CHECK(resp["uid"] == "u-1");
  CHECK(resp["allowed"] == true);
  CHECK(resp["auditAnnotations"]["decision"] == "allow");
  CHECK(resp["auditAnnotations"]["migration-hash"].get<std::string>().size() == 64);
  CHECK(o.namespace_name == "tenant-a");
  CHECK(o.job_name == "j");
}

TEST_CASE("reviewer: a missing ConfigMap denies through job.require-migration-sql at the volume field") {
  Fixture fx;
  auto o = fx.reviewer()->review(admission_review("u-2", migration_job("j", "tenant-a", "nope")).dump());
  auto resp = response_of(o);
  CHECK(o.decision == "deny");
  CHECK(resp["allowed"] == false);
  CHECK(
      resp["status"]["message"] ==
      "schemagate found 1 error in Job tenant-a/j\n[job.require-migration-sql] "
      "spec.template.spec.volumes[0].configMap.name: ConfigMap nope does not exist in namespace tenant-a. — "
      "Create the ConfigMap holding the migration's .sql files in the Job's namespace before the Job, or "
      "correct the reference.");
  CHECK(resp["status"]["details"]["causes"][0]["field"] == "spec.template.spec.volumes[0].configMap.name");
  CHECK(o.fired_gates == std::vector<std::string>{"job.require-migration-sql"});

  // The annotation form, and no cluster view at all.
  json job = migration_job("j", "tenant-a", "safe");
  job["metadata"]["annotations"] = {{"schemagate.io/migrations", "safe, gone"}};
  auto resp2 = response_of(fx.reviewer()->review(admission_review("u-3", job).dump()));
  CHECK(resp2["status"]["details"]["causes"][0]["field"] == "metadata.annotations[schemagate.io/migrations]");

  server::AdmissionReviewer no_view(server::ReviewerConfig{fx.policy, ""}, test_registry());
  auto resp3 =
      response_of(no_view.review(admission_review("u-4", migration_job("j", "tenant-a", "safe")).dump()));
  CHECK(resp3["status"]["details"]["causes"][0]["message"] ==
        "ConfigMap safe cannot be read: schemagate was given no cluster state.");
}

TEST_CASE("reviewer: a volume that no container mounts is not a SQL source") {
  Fixture fx;
  json job = migration_job("j", "tenant-a", "risky");
  job["spec"]["template"]["spec"]["containers"][0].erase("volumeMounts");
  job["metadata"]["annotations"] = {{"schemagate.io/migrations", "safe"}};
  auto o = fx.reviewer()->review(admission_review("u", job).dump());
  CHECK(o.decision == "allow");  // only `safe` was read; `risky` is not mounted
}

TEST_CASE("reviewer: dangerous SQL is denied, dry run or not, with the same answer") {
  Fixture fx;
  auto r = fx.reviewer();
  json job = migration_job("j", "tenant-a", "risky");
  auto wet = r->review(admission_review("u-same", job).dump());
  auto dry = r->review(admission_review("u-same", job, "CREATE", nullptr, true).dump());
  CHECK(wet.decision == "deny");
  CHECK(dry.dry_run);
  CHECK(dry.body == wet.body);
  CHECK(response_of(wet)["status"]["details"]["causes"][0]["field"] == "configmap/risky/2_index.up.sql:1:1");
}

TEST_CASE("reviewer: UPDATE is evaluated only when gated fields change") {
  Fixture fx;
  auto r = fx.reviewer();
  json old_job = migration_job("j", "tenant-a", "risky");
  json status_only = old_job;
  status_only["status"] = {{"active", 1}};
  status_only["metadata"]["labels"]["batch.kubernetes.io/controller-uid"] = "x";
  CHECK(r->review(admission_review("u", status_only, "UPDATE", old_job).dump()).decision == "skip");

  json env_changed = old_job;
  env_changed["spec"]["template"]["spec"]["containers"][0]["env"][0]["value"] = "-c lock_timeout=1s";
  CHECK(r->review(admission_review("u", env_changed, "UPDATE", old_job).dump()).decision == "deny");

  json annotated = old_job;
  annotated["metadata"]["annotations"] = {{"schemagate.io/approve", "lint.require-concurrent-index: tiny"}};
  CHECK(r->review(admission_review("u", annotated, "UPDATE", old_job).dump()).decision == "allow");
}

TEST_CASE("reviewer: an approval annotation admits and is recorded in the audit annotations") {
  Fixture fx;
  json job = migration_job("j", "tenant-a", "risky");
  job["metadata"]["annotations"] = {
      {"schemagate.io/approve",
       "lint.require-concurrent-index: orders has 40 rows, approved by DBA on-call"}};
  auto resp = response_of(fx.reviewer()->review(admission_review("u", job).dump()));
  CHECK(resp["allowed"] == true);
  CHECK(resp["auditAnnotations"]["approval"] ==
        "lint.require-concurrent-index: orders has 40 rows, approved by DBA on-call");
  CHECK(resp["warnings"][0].get<std::string>().rfind("approved: lint.require-concurrent-index: ", 0) == 0);
}

TEST_CASE("reviewer: 500 Jobs sharing one ConfigMap parse it once") {
  Fixture fx;
  auto r = fx.reviewer();
  for (int i = 0; i < 500; ++i) {
    std::string n = std::to_string(i);
    std::string uid = std::string("u-").append(n);
    std::string name = std::string("j").append(n);
    auto o = r->review(admission_review(uid, migration_job(name, "tenant-a", "safe")).dump());
    REQUIRE(o.decision == "allow");
  }
  CHECK(r->cache().misses() == 1);
  CHECK(r->cache().hits() == 499);
  CHECK(r->cache().size() == 1);
}

TEST_CASE("reviewer: audit mode admits what enforce would deny") {
  Fixture fx;
  fx.policy = fx.dir.write("audit.yaml", "mode: audit\n");
  auto o = fx.reviewer()->review(admission_review("u", migration_job("j", "tenant-a", "risky")).dump());
  auto resp = response_of(o);
  CHECK(resp["allowed"] == true);
  CHECK(resp["auditAnnotations"]["decision"] == "audit-deny");
  CHECK(resp["warnings"][0].get<std::string>().rfind("audit: would deny: lint.require-concurrent-index: ",
                                                     0) == 0);
}

TEST_CASE("reviewer: an internal error answers per failureMode and keeps the uid") {
  static const gates::Registry* throwing = [] {
    auto* reg = new gates::Registry();
    reg->add(std::make_unique<ThrowingGate>());
    return reg;
  }();
  Fixture fx;
  auto closed = fx.reviewer(*throwing)->review(
      admission_review("u-err", migration_job("j", "tenant-a", "safe")).dump());
  CHECK(closed.http_status == 200);
  CHECK(closed.decision == "error");
  CHECK(closed.body ==
        R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{"uid":"u-err",)"
        R"("allowed":false,"status":{"code":500,"reason":"InternalError","message":)"
        R"("schemagate internal error: gate exploded; failureMode closed"},)"
        R"("auditAnnotations":{"decision":"error"}}})");
  fx.policy = fx.dir.write("open.yaml", "failureMode: open\n");
  auto open = fx.reviewer(*throwing)->review(
      admission_review("u-err", migration_job("j", "tenant-a", "safe")).dump());
  CHECK(response_of(open)["allowed"] == true);
  CHECK(response_of(open)["uid"] == "u-err");
}

TEST_CASE("reviewer: refresh() hot-reloads the policy; a bad file keeps the previous one") {
  Fixture fx;
  auto r = fx.reviewer();
  CHECK(r->ready());
  CHECK(r->policy()->mode == gates::Mode::kEnforce);
  // A different size guarantees a new file identity even within one mtime tick.
  fx.dir.write("policy.yaml", "mode: audit\nexemptNamespaces: [kube-system, kube-public]\n");
  r->refresh();
  CHECK(r->policy()->mode == gates::Mode::kAudit);
  fx.dir.write("policy.yaml", "mode: sometimes\n");
  r->refresh();
  CHECK(r->policy()->mode == gates::Mode::kAudit);
  std::string metrics;
  r->append_metrics(metrics);
  CHECK(metrics.find("schemagate_policy_reloads_total{result=\"success\"} 1\n") != std::string::npos);
  CHECK(metrics.find("schemagate_policy_reloads_total{result=\"failure\"} 1\n") != std::string::npos);
  CHECK(metrics.find("schemagate_clusterview_synced 1\n") != std::string::npos);
  CHECK(metrics.find("schemagate_clusterview_age_seconds ") != std::string::npos);
}

TEST_CASE("reviewer: start-up fails loudly on a bad policy or cluster state") {
  Fixture fx;
  std::string bad = fx.dir.write("bad.yaml", "nonsense: 1\n");
  CHECK_THROWS(server::AdmissionReviewer(server::ReviewerConfig{bad, fx.state}, test_registry()));
  CHECK_THROWS(server::AdmissionReviewer(
      server::ReviewerConfig{fx.policy, fx.dir.path().string() + "/none.yaml"}, test_registry()));
}

}  // namespace admission_reviewer_test
