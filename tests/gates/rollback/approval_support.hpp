// Test support for approvals: run the engine as run_files does, with the Job's
// `schemagate.io/approve` annotation parsed into the Context.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "support/gate_test.hpp"

namespace schemagate::testing {

inline Run run_files_approved(const std::vector<std::pair<std::string, std::string>>& files,
                              const std::string& approve_annotation) {
  Run run;
  std::vector<sql::MigrationInput> inputs;
  inputs.reserve(files.size());
  for (const auto& [name, text] : files)
    inputs.push_back({name, text});
  run.set = sql::build_migration_set(std::move(inputs), sql::LoadOptions{});
  gates::Context ctx;
  ctx.migrations = run.set.get();
  ctx.policy = &run.policy;
  ctx.approval = gates::parse_approval(approve_annotation);
  run.verdict = gates::Engine(gates::builtin_registry()).evaluate(ctx);
  return run;
}

}  // namespace schemagate::testing
