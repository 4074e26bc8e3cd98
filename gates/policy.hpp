// The policy: typed and validated before anything uses it; unknown keys are errors
// (ARCHITECTURE.md §5). Loaded at start-up and on file change; a bad file on reload
// keeps the previous policy and says why.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gates/gate.hpp"

namespace schemagate::gates {

class Registry;

enum class Mode : std::uint8_t { kEnforce, kAudit };
enum class FailureMode : std::uint8_t { kClosed, kOpen };
enum class TenancyModel : std::uint8_t { kSchemaPerTenant, kDatabasePerTenant, kSharedSchema };
std::string_view tenancy_model_name(TenancyModel m);

struct GateSetting {
  std::optional<Severity> severity;
  std::map<std::string, std::string> options;
};

struct Policy {
  std::string source = "<defaults>";  // file it came from
  std::uint64_t generation = 0;       // distinct for every parsed policy (keys cached findings)
  int postgres_version = 15;
  Mode mode = Mode::kEnforce;
  FailureMode failure_mode = FailureMode::kClosed;
  struct Tenancy {
    TenancyModel model = TenancyModel::kSchemaPerTenant;
    std::string schema_template = "tenant_{tenant}";
    std::string database_template = "{tenant}";
    std::string tenant_column = "tenant_id";
    std::vector<std::string> shared_schemas{"public"};
    bool deny_unlabeled_namespace = true;
  } tenancy;
  struct Concurrency {
    int max_concurrent_migrations = 20;
    int lease_duration_seconds = 900;
  } concurrency;
  struct Cache {
    int max_staleness_seconds = 300;
  } cache;
  std::map<std::string, GateSetting> gates;
  std::map<std::string, std::map<std::string, GateSetting>> namespaces;  // ns -> gate -> setting
  std::vector<std::string> exempt_namespaces;
  // The most a lint finding in a down migration weighs: a down is not what the Job
  // runs now but what a rollback would run, so by default it warns and never denies.
  // lint.sql-syntax-error keeps its severity (a down that cannot run is no rollback).
  Severity down_migration_lint = Severity::kWarning;

  // Severity of a gate in a namespace: namespace override, then global, then default.
  Severity severity_for(const GateInfo& info, std::string_view ns) const;
  Options options_for(const GateInfo& info, std::string_view ns) const;
  bool is_exempt(std::string_view ns) const;
};

// Parses policy YAML. Returns false with `error` as "<source>:<line>:<col>: <what>"
// on malformed YAML, unknown keys, bad values, unknown gate ids or options.
bool parse_policy(const std::string& text, const std::string& source, const Registry& registry, Policy& out,
                  std::string& error);
bool load_policy_file(const std::string& path, const Registry& registry, Policy& out, std::string& error);

}  // namespace schemagate::gates
