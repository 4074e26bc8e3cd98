#include "server/plan.hpp"

#include <catch2/catch.hpp>

#include "gates/registry.hpp"
#include "k8s/static_cluster_view.hpp"
#include "k8s/yaml_json.hpp"
#include "server/plan_yaml.hpp"
#include "support/job_test.hpp"

namespace plan_test {  // per-file scope: the tests are also built as one unity TU

using nlohmann::json;
using namespace schemagate;
using server::make_plan;
using server::Plan;
using server::PlanInput;
using server::PlanOptions;

namespace {

gates::Namespace tenant_ns(const std::string& name, const std::string& tenant,
                           json annotations = json::object()) {
  return gates::namespace_from_json(
      {{"metadata",
        {{"name", name}, {"labels", {{"schemagate.io/tenant", tenant}}}, {"annotations", annotations}}}});
}

json job_template() {
  return testing::job_json(R"yaml(
apiVersion: batch/v1
kind: Job
metadata: {name: migrate-billing}
spec:
  backoffLimit: 4
  template:
    spec:
      restartPolicy: OnFailure
      containers:
        - name: migrate
          image: migrate/migrate:v4.17.0@sha256:00
          args: ["-path", "/sql", "-database", "postgres://db.{namespace}/{database}?search_path={schema}", "up"]
          env: [{name: PGOPTIONS, value: "-c search_path=x"}]
          volumeMounts: [{name: migrations, mountPath: /sql}]
)yaml");
}

const std::vector<sql::MigrationInput> kSafe = {
    {"m/000001_invoices.up.sql", "CREATE TABLE invoices (id bigint PRIMARY KEY, note text);\n"},
    {"m/000001_invoices.down.sql",
     "-- schemagate:ignore lint.ban-drop-table rollback of 000001\nDROP TABLE invoices;\n"}};

struct Fixture {
  gates::Policy policy;
  PlanInput input;
  PlanOptions options;
  Fixture() {
    input.job_template = job_template();
    input.migrations = kSafe;
    input.policy = &policy;
    input.namespaces = {tenant_ns("tenant-umbrella", "umbrella"),
                        tenant_ns("tenant-acme", "acme"),
                        tenant_ns("tenant-hooli", "hooli"),
                        tenant_ns("tenant-globex", "globex"),
                        tenant_ns("tenant-initech", "initech"),
                        gates::namespace_from_json({{"metadata", {{"name", "monitoring"}}}})};
  }
  Plan plan() const {
    Plan p;
    std::string error;
    REQUIRE(make_plan(input, options, p, error));
    CHECK(error.empty());
    return p;
  }
};

std::vector<std::string> waves(const Plan& p) {
  std::vector<std::string> out;
  for (const auto& t : p.tenants)
    out.push_back(t.tenant + ":" + std::to_string(t.wave));
  return out;
}

}  // namespace

TEST_CASE("plan orders tenants in waves: canaries first, then batches") {
  Fixture f;
  f.options.waves.canary = 1;
  f.options.waves.batch = 2;
  CHECK(waves(f.plan()) ==
        std::vector<std::string>{"acme:1", "globex:2", "hooli:2", "initech:3", "umbrella:3"});

  f.options.waves.canary_tenants = {"initech", "globex"};
  CHECK(waves(f.plan()) ==
        std::vector<std::string>{"globex:1", "initech:1", "acme:2", "hooli:2", "umbrella:3"});

  Plan p;
  std::string error;
  f.options.waves.canary_tenants = {"nobody"};
  CHECK_FALSE(make_plan(f.input, f.options, p, error));
  CHECK(error == "--canary names tenant nobody, which no selected Namespace belongs to");
}

TEST_CASE("plan batches no larger than the policy's maxConcurrentMigrations") {
  Fixture f;
  f.policy.concurrency.max_concurrent_migrations = 2;
  f.options.waves.canary = 0;
  f.options.waves.batch = 10;
  Plan p = f.plan();
  CHECK(waves(p) == std::vector<std::string>{"acme:1", "globex:1", "hooli:2", "initech:2", "umbrella:3"});
  REQUIRE(p.notes.size() == 1);
  CHECK(p.notes[0] ==
        "batch=10 is above the policy's concurrency.maxConcurrentMigrations; batches hold 2 tenants");
}

TEST_CASE("plan output is deterministic: same inputs in any order give the same bytes") {
  Fixture a;
  Fixture b;
  std::reverse(b.input.namespaces.begin(), b.input.namespaces.end());
  std::reverse(b.input.migrations.begin(), b.input.migrations.end());
  std::string first = server::to_yaml_stream(a.plan().objects());
  CHECK(first == server::to_yaml_stream(b.plan().objects()));
  CHECK(first == server::to_yaml_stream(a.plan().objects()));
  CHECK(first.find("Timestamp") == std::string::npos);
}

TEST_CASE("plan hardens every Job and fills in the tenant") {
  Fixture f;
  f.input.namespaces = {
      tenant_ns("tenant-acme", "acme",
                {{"schemagate.io/schemas", "acme_billing, acme_x"}, {"schemagate.io/databases", "acme_db"}}),
      tenant_ns("tenant-globex", "globex")};
  Plan p = f.plan();
  REQUIRE(p.tenants.size() == 2);
  CHECK(p.format == "golang-migrate");
  const auto& acme = p.tenants[0];
  CHECK(acme.schema == "acme_billing");
  CHECK(acme.database == "acme_db");
  CHECK(p.tenants[1].schema == "tenant_globex");  // policy templates
  CHECK(p.tenants[1].database == "globex");

  const json& job = acme.job;
  const std::string cm = "migrate-billing-migrations-" + p.hash8;
  CHECK(job["metadata"]["name"] == "migrate-billing-" + p.hash8);
  CHECK(job["metadata"]["namespace"] == "tenant-acme");
  CHECK(job["metadata"]["labels"] == json{{"schemagate.io/migration", "true"}, {"schemagate.io/wave", "1"}});
  CHECK(job["metadata"]["annotations"] == json{{"schemagate.io/database", "acme_db"},
                                               {"schemagate.io/format", "golang-migrate"},
                                               {"schemagate.io/migrations", cm},
                                               {"schemagate.io/schema", "acme_billing"}});
  CHECK(job["spec"]["backoffLimit"] == 0);
  CHECK(job["spec"]["activeDeadlineSeconds"] == 1800);
  const json& pod = job["spec"]["template"]["spec"];
  CHECK(pod["restartPolicy"] == "Never");
  CHECK(pod["volumes"] == json::array({{{"name", "migrations"}, {"configMap", {{"name", cm}}}}}));
  const json& c = pod["containers"][0];
  CHECK(c["args"][3] == "postgres://db.tenant-acme/acme_db?search_path=acme_billing");
  CHECK(c["env"][0] == json{{"name", "PGOPTIONS"},
                            {"value", "-c search_path=x -c lock_timeout=5s -c statement_timeout=15min"}});
  CHECK(c["volumeMounts"] == json::array({{{"name", "migrations"}, {"mountPath", "/sql"}}}));

  CHECK(acme.configmap["metadata"]["name"] == cm);
  CHECK(acme.configmap["data"].size() == 2);
  CHECK(acme.configmap["data"]["000001_invoices.up.sql"] == kSafe[0].text);

  const json& rb = acme.rollback_job;
  CHECK(rb["metadata"]["name"] == "migrate-billing-rollback-" + p.hash8);
  CHECK(rb["metadata"]["labels"]["schemagate.io/rollback"] == "true");
  CHECK(rb["spec"]["suspend"] == true);
  CHECK(rb["spec"]["template"]["spec"]["containers"][0]["args"].back() == "1");
  CHECK(rb["spec"]["template"]["spec"]["containers"][0]["args"][4] == "down");
}

TEST_CASE("plan keeps an existing timeout and a template's deadline, and mounts /migrations when none is") {
  Fixture f;
  f.input.job_template["spec"]["activeDeadlineSeconds"] = 600;
  auto& c = f.input.job_template["spec"]["template"]["spec"]["containers"][0];
  c["env"][0]["value"] = "-c lock_timeout=2s";
  c.erase("volumeMounts");
  f.options.statement_timeout = "1h";
  Plan p = f.plan();
  const json& job = p.tenants[0].job;
  CHECK(job["spec"]["activeDeadlineSeconds"] == 600);
  const json& out = job["spec"]["template"]["spec"]["containers"][0];
  CHECK(out["env"][0]["value"] == "-c lock_timeout=2s -c statement_timeout=1h");
  CHECK(out["volumeMounts"] ==
        json::array({{{"name", "migrations"}, {"mountPath", "/migrations"}, {"readOnly", true}}}));
}

TEST_CASE("plan selects tenants by namespace label and refuses empty plans") {
  Fixture f;
  f.input.namespaces[1].meta.labels["tier"] = "gold";
  f.input.namespaces[4].meta.labels["tier"] = "gold";
  std::string error;
  REQUIRE(server::parse_label_selector("tier=gold", f.options.namespace_selector, error));
  CHECK(waves(f.plan()) == std::vector<std::string>{"acme:1", "initech:2"});
  REQUIRE(server::parse_label_selector("tier!=gold,!nothing", f.options.namespace_selector, error));
  CHECK(f.plan().tenants.size() == 3);
  REQUIRE(server::parse_label_selector("tier=silver", f.options.namespace_selector, error));
  Plan p;
  CHECK_FALSE(make_plan(f.input, f.options, p, error));
  CHECK(error ==
        "no Namespace labelled schemagate.io/tenant matches --namespace-selector in the cluster state");
}

TEST_CASE("plan refuses migrations that do not fit one ConfigMap") {
  Fixture f;
  f.input.migrations = {{"m/000001_big.up.sql", std::string(1'100'000, ' ')}};
  Plan p;
  std::string error;
  CHECK_FALSE(make_plan(f.input, f.options, p, error));
  CHECK(error ==
        "the migrations hold 1100017 bytes, more than a ConfigMap can (1 MiB): split the directory and plan "
        "each "
        "part");
}

TEST_CASE("parse_waves reads canary and batch, and rejects the rest") {
  server::WaveSpec w;
  std::string error;
  REQUIRE(server::parse_waves("canary=2,batch=5", w, error));
  CHECK(w.canary == 2);
  CHECK(w.batch == 5);
  CHECK_FALSE(server::parse_waves("batch=0", w, error));
  CHECK_FALSE(server::parse_waves("canary=x", w, error));
  CHECK(error == "--waves takes canary=N (N >= 0) and batch=N (N >= 1), comma-separated; got 'canary=x'");
}

TEST_CASE("plan YAML reads back to the same objects") {
  Fixture f;
  f.input.job_template["metadata"]["annotations"] = {
      {"a", "true"},       {"b", "0755"},  {"c", "yes"},  {"d", "1e3"},
      {"e", ""},           {"f", "- x"},   {"g", "a: b"}, {"h", "no newline\nend"},
      {"i", " leading\n"}, {"j", "x\n\n"}, {"k", "0x1F"}, {"l", "~"},
      {"m", "#c"},         {"n", "12:30"}, {"o", "ünï"}};
  Plan p = f.plan();
  std::string yaml = server::to_yaml_stream(p.objects());
  std::vector<k8s::YamlDocument> docs;
  std::string error;
  REQUIRE(k8s::parse_yaml_documents(yaml, "plan.yaml", docs, error));
  auto objects = p.objects();
  REQUIRE(docs.size() == objects.size());
  for (std::size_t i = 0; i < docs.size(); ++i) {
    INFO(i);
    CHECK(docs[i].object == objects[i]);
  }
  CHECK(server::plain_scalar_changes_type("on"));
  CHECK_FALSE(server::plain_scalar_changes_type("migrate"));
}

TEST_CASE("plan judges every generated Job as admission would") {
  Fixture f;
  k8s::ClusterSnapshot cluster;
  for (const auto& ns : f.input.namespaces)
    cluster.namespaces[ns.meta.name] = ns;
  Plan safe = f.plan();
  auto verdicts = server::judge_plan(safe, f.policy, cluster);
  REQUIRE(verdicts.size() == 10);  // a Job and a rollback Job per tenant
  for (const auto& v : verdicts) {
    INFO(v.job_name);
    CHECK(v.verdict.decision == gates::Decision::kAllow);
  }

  f.input.migrations = {{"m/000002_idx.up.sql", "CREATE INDEX invoices_note_idx ON invoices (note);\n"},
                        {"m/000002_idx.down.sql", "DROP INDEX CONCURRENTLY invoices_note_idx;\n"}};
  Plan bad = f.plan();
  verdicts = server::judge_plan(bad, f.policy, cluster);
  REQUIRE(verdicts[0].verdict.decision == gates::Decision::kDeny);
  CHECK(verdicts[0].tenant->tenant == "acme");
  auto fired = verdicts[0].verdict.fired_gates();
  CHECK(std::find(fired.begin(), fired.end(), "lint.require-concurrent-index") != fired.end());
}

}  // namespace plan_test
