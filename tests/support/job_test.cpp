#include "support/job_test.hpp"

#include <yaml-cpp/yaml.h>

#include <stdexcept>

#include "k8s/static_cluster_view.hpp"
#include "k8s/yaml_json.hpp"
#include "server/job_input.hpp"

namespace schemagate::testing {

nlohmann::json hardened_job() {
  return job_json(R"yaml(
apiVersion: batch/v1
kind: Job
metadata:
  name: migrate-orders
  namespace: shop
  labels:
    schemagate.io/migration: "true"
spec:
  backoffLimit: 0
  activeDeadlineSeconds: 1800
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: migrate
          image: migrate/migrate:v4.17.0@sha256:0d4a5f5d4bd4a9b3e6c1d1c8f4bd2c6b2b3c1f0e9d8c7b6a5f4e3d2c1b0a9f8e
          args: ["-path", "/migrations", "-database", "$(DATABASE_URL)", "up"]
          env:
            - name: PGOPTIONS
              value: "-c lock_timeout=5s -c statement_timeout=15min"
)yaml");
}

nlohmann::json job_json(const std::string& text) {
  return k8s::yaml_to_json(YAML::Load(text));  // JSON is YAML too
}

Run run_job(const std::string& job_text, const JobRunOptions& options) {
  return run_job(job_json(job_text), options);
}

Run run_job(const nlohmann::json& job_object, const JobRunOptions& options) {
  Run run;
  if (!options.policy_yaml.empty()) {
    std::string error;
    if (!gates::parse_policy(options.policy_yaml, "test-policy.yaml", gates::builtin_registry(), run.policy,
                             error)) {
      throw std::runtime_error("test policy does not load: " + error);
    }
  }
  // The Context exactly as admission builds it (server/job_input.hpp), with the SQL
  // given here standing in for the Job's ConfigMaps, as `check -f` does.
  std::vector<sql::MigrationInput> inputs;
  for (const auto& [name, text] : options.sql_files)
    inputs.push_back({name, text});
  k8s::ClusterSnapshot cluster;
  for (const auto& cm : options.configmaps) {
    std::string ns = cm.meta.namespace_name.empty() ? options.namespace_name : cm.meta.namespace_name;
    cluster.configmaps[{ns, cm.meta.name}] = cm;
  }
  server::JobContextOptions jo;
  jo.policy = &run.policy;
  jo.cluster = options.configmaps.empty() ? nullptr : &cluster;
  jo.sql_override = options.sql_files.empty() ? nullptr : &inputs;
  std::string ns = job_object.value("/metadata/namespace"_json_pointer, options.namespace_name);
  auto jc = server::build_job_context(job_object, ns, jo);
  run.set = std::const_pointer_cast<sql::MigrationSet>(jc->migrations);
  const gates::Context& ctx = jc->ctx;
  run.verdict = gates::Engine(gates::builtin_registry()).evaluate(ctx);
  return run;
}

}  // namespace schemagate::testing
