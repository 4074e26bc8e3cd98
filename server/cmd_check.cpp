#include <iostream>
#include <map>
#include <string>

#include "gates/engine.hpp"
#include "gates/registry.hpp"
#include "server/check_jobs.hpp"
#include "server/commands.hpp"
#include "server/flags.hpp"
#include "server/report.hpp"

namespace schemagate::server {

namespace {

// "not checked: 2 files for mysql (ory/pop dialect), 1 file for ...": files read but not
// PostgreSQL migrations, so the summary's file count is not mistaken for all of them.
std::string skipped_note(const sql::MigrationSet& set) {
  std::map<std::string, std::size_t> by_reason;
  for (const sql::SkippedInput& s : set.skipped)
    ++by_reason[s.reason];
  std::string out = "not checked:";
  for (const auto& [reason, n] : by_reason)
    out += (out.back() == ':' ? " " : ", ") + std::to_string(n) + (n == 1 ? " file " : " files ") + reason;
  return out + "\n";
}

}  // namespace

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
  if (format == ReportFormat::kText && !set->skipped.empty()) std::cout << skipped_note(*set);
  return verdict.decision == gates::Decision::kDeny ? 1 : 0;
}

}  // namespace schemagate::server
