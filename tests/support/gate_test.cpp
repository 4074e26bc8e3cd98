#include "support/gate_test.hpp"

#include <stdexcept>

namespace schemagate::testing {

std::vector<gates::Finding> Run::of(const std::string& gate_id) const {
  std::vector<gates::Finding> out;
  for (const auto& f : verdict.findings) {
    if (f.gate_id == gate_id) out.push_back(f);
  }
  return out;
}

std::vector<std::string> Run::positions(const std::string& gate_id) const {
  std::vector<std::string> out;
  for (const auto& f : of(gate_id))
    out.push_back(std::to_string(f.location.line) + ":" + std::to_string(f.location.column));
  return out;
}

Run run_files(const std::vector<std::pair<std::string, std::string>>& files, const RunOptions& options) {
  Run run;
  if (!options.policy_yaml.empty()) {
    std::string error;
    if (!gates::parse_policy(options.policy_yaml, "test-policy.yaml", gates::builtin_registry(), run.policy,
                             error)) {
      throw std::runtime_error("test policy does not load: " + error);
    }
  }
  run.policy.postgres_version = options.pg_major;
  std::vector<sql::MigrationInput> inputs;
  inputs.reserve(files.size());
  for (const auto& [name, text] : files)
    inputs.push_back({name, text});
  sql::LoadOptions load;
  load.pg_major = options.pg_major;
  run.set = sql::build_migration_set(std::move(inputs), load);
  gates::Context ctx;
  ctx.migrations = run.set.get();
  ctx.policy = &run.policy;
  ctx.session_settings = options.session_settings;
  run.verdict = gates::Engine(gates::builtin_registry()).evaluate(ctx);
  return run;
}

Run run_sql(const std::string& sql, const RunOptions& options) {
  return run_files({{options.file_name, sql}}, options);
}

}  // namespace schemagate::testing
