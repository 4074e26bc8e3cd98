// Test support: run the engine over SQL text the way `schemagate check` would.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "gates/engine.hpp"
#include "gates/registry.hpp"

namespace schemagate::testing {

struct Run {
  std::shared_ptr<sql::MigrationSet> set;
  gates::Policy policy;
  gates::Verdict verdict;

  // Findings of one gate, in output order.
  std::vector<gates::Finding> of(const std::string& gate_id) const;
  // "line:column" of each finding of a gate, e.g. {"3:1", "7:5"}.
  std::vector<std::string> positions(const std::string& gate_id) const;
};

struct RunOptions {
  std::string file_name = "migration.sql";  // decides the format by name (e.g. 001_x.up.sql)
  std::string policy_yaml;                  // parsed with the real policy loader; must be valid
  int pg_major = 15;
  std::map<std::string, std::string> session_settings;
};

// One file.
Run run_sql(const std::string& sql, const RunOptions& options = {});
// Several files (name, text), e.g. golang-migrate up/down pairs.
Run run_files(const std::vector<std::pair<std::string, std::string>>& files, const RunOptions& options = {});

}  // namespace schemagate::testing
