#include "support/tenant_test.hpp"

#include <stdexcept>

#include "k8s/static_cluster_view.hpp"
#include "k8s/yaml_json.hpp"
#include "server/job_input.hpp"
#include "support/job_test.hpp"

namespace schemagate::testing {

std::string three_tenants_yaml() {
  return R"(apiVersion: v1
kind: Namespace
metadata:
  name: acme
  labels: {schemagate.io/tenant: acme}
  annotations: {schemagate.io/schemas: tenant_acme}
---
apiVersion: v1
kind: Namespace
metadata:
  name: globex
  labels: {schemagate.io/tenant: globex}
  annotations: {schemagate.io/schemas: "globex_main,globex_audit", schemagate.io/databases: globex_db}
---
apiVersion: v1
kind: Namespace
metadata:
  name: initech
  labels: {schemagate.io/tenant: initech}
---
apiVersion: v1
kind: Namespace
metadata:
  name: tools
)";
}

std::string migration_job_yaml(const std::string& name, const std::string& ns,
                               const std::vector<std::string>& annotations) {
  std::string y = "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: " + name + "\n  namespace: " + ns +
                  "\n  labels: {schemagate.io/migration: \"true\"}\n";
  if (!annotations.empty()) {
    y += "  annotations:\n";
    for (const auto& a : annotations)
      y += "    " + a + "\n";
  }
  y += "spec:\n  backoffLimit: 0\n  template:\n    spec:\n      restartPolicy: Never\n      containers:\n"
       "      - name: migrate\n        image: migrate/migrate@sha256:"
       "0000000000000000000000000000000000000000000000000000000000000000\n";
  return y;
}

Run run_cluster(const ClusterRunOptions& options) {
  Run run;
  if (!options.policy_yaml.empty()) {
    std::string error;
    if (!gates::parse_policy(options.policy_yaml, "test-policy.yaml", gates::builtin_registry(), run.policy,
                             error)) {
      throw std::runtime_error("test policy does not load: " + error);
    }
  }
  k8s::ClusterSnapshot cluster;
  std::string error;
  if (!k8s::parse_cluster_state(options.cluster_yaml, "cluster.yaml", cluster, error)) {
    throw std::runtime_error("test cluster state does not load: " + error);
  }
  nlohmann::json job = job_json(options.job_yaml);
  std::vector<sql::MigrationInput> inputs;
  for (const auto& [name, text] : options.sql_files)
    inputs.push_back({name, text});
  server::JobContextOptions jo;
  jo.policy = &run.policy;
  jo.cluster = &cluster;
  jo.dry_run = options.dry_run;
  jo.sql_override = &inputs;
  std::string ns = job["metadata"].value("namespace", "default");
  auto jc = server::build_job_context(job, ns, jo);
  run.set = std::const_pointer_cast<sql::MigrationSet>(jc->migrations);
  run.verdict = gates::Engine(gates::builtin_registry()).evaluate(jc->ctx);
  return run;
}

Run run_as_acme(const std::string& sql, const std::string& policy_yaml) {
  ClusterRunOptions o;
  o.cluster_yaml = three_tenants_yaml();
  o.job_yaml = migration_job_yaml("acme-migrate", "acme");
  o.sql_files = {{"configmap/acme-sql/1_x.up.sql", sql}};
  o.policy_yaml = policy_yaml;
  return run_cluster(o);
}

}  // namespace schemagate::testing
