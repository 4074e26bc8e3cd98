#include <iostream>

#include "gates/engine.hpp"
#include "gates/registry.hpp"
#include "server/check_jobs.hpp"
#include "server/commands.hpp"
#include "server/flags.hpp"
#include "server/report.hpp"

namespace schemagate::server {

int cmd_check(const Args& args) {
  Flags flags(args, {"--config", "--cluster-state", "-f", "--format", "--pg-version", "--migration-format"});
  if (flags.positional().empty() && !flags.has("-f"))
    throw UsageError("check needs at least one PATH (a .sql file or a directory)");
  ReportFormat format = ReportFormat::kText;
  if (!parse_report_format(flags.get_or("--format", "text"), format)) {
    throw UsageError("--format must be text, json, sarif or github");
  }
  const gates::Registry& registry = gates::builtin_registry();
  gates::Policy policy;
  if (auto path = flags.get("--config")) {
    std::string error;
    if (!gates::load_policy_file(*path, registry, policy, error)) {
      std::cerr << "schemagate: " << error << "\n";
      return 2;
    }
  }
  if (auto v = flags.get("--pg-version")) {
    try {
      policy.postgres_version = std::stoi(*v);
    } catch (...) {
      throw UsageError("--pg-version must be a number");
    }
  }
  sql::LoadOptions load;
  load.pg_major = policy.postgres_version;
  if (auto f = flags.get("--migration-format")) {
    load.format = sql::parse_format(*f);
    if (!load.format) throw UsageError("--migration-format must be golang-migrate, goose, flyway or plain");
  }
  if (flags.has("-f")) return check_jobs(flags, policy, format, registry);
  std::vector<sql::MigrationInput> inputs;
  std::string error;
  if (!sql::read_migration_paths(flags.positional(), inputs, error)) {
    std::cerr << "schemagate: " << error << "\n";
    return 2;
  }
  auto set = sql::build_migration_set(std::move(inputs), load);
  gates::Context ctx;
  ctx.migrations = set.get();
  ctx.policy = &policy;
  gates::Engine engine(registry);
  gates::Verdict verdict = engine.evaluate(ctx);
  std::cout << render(format, verdict, set.get(), registry);
  return verdict.decision == gates::Decision::kDeny ? 1 : 0;
}

}  // namespace schemagate::server
