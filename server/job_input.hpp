// From a Job (as the API sends it) to the gates' Context: the SQL of its migration
// ConfigMaps, its session settings, its approval. Shared by the admission reviewer
// and `schemagate check -f job.yaml`, so both judge a Job the same way.
#pragma once

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "gates/context.hpp"
#include "server/migration_cache.hpp"

namespace schemagate::server {

// A ConfigMap the Job's SQL comes from, and the Job field that names it.
struct MigrationSource {
  std::string configmap;
  std::string location;           // spec.template.spec.volumes[0].configMap.name, or the annotation
  std::vector<std::string> keys;  // volume `items`: only these keys are mounted; empty = all
};

// ConfigMaps mounted as volumes (configMap or projected sources) by at least one
// container or init container, then those named by `schemagate.io/migrations`,
// each once, in that order.
std::vector<MigrationSource> migration_sources(const nlohmann::json& job_object, const gates::Job& job);

// Session settings from PGOPTIONS ("-c lock_timeout=5s --statement-timeout=1min"),
// as PostgreSQL reads them: whitespace-separated, backslash escapes, dashes in
// names are underscores, names are case-insensitive.
std::map<std::string, std::string> parse_pgoptions(std::string_view value);

// Everything a Context points at, owned together: the Context stays valid as long
// as this object lives (and it does not move).
struct JobContext {
  gates::Job job;
  std::shared_ptr<const sql::MigrationSet> migrations;
  gates::Context ctx;

  JobContext() = default;
  JobContext(const JobContext&) = delete;
  JobContext& operator=(const JobContext&) = delete;
};

struct JobContextOptions {
  const gates::Policy* policy = nullptr;
  const gates::ClusterView* cluster = nullptr;  // null: no cluster state (ConfigMaps unreadable)
  MigrationCache* cache = nullptr;              // null: parse every time
  std::string operation = "CREATE";
  bool dry_run = false;
  // `check -f job.yaml PATH...`: SQL from files instead of the Job's ConfigMaps.
  const std::vector<sql::MigrationInput>* sql_override = nullptr;
};

// Never throws on a strange Job: unresolvable references become input errors that
// job.require-migration-sql reports. Jobs that are not labelled as migrations get
// no SQL at all (migrations = null) and cost no lookups.
std::unique_ptr<JobContext> build_job_context(const nlohmann::json& job_object, std::string namespace_name,
                                              const JobContextOptions& options);

}  // namespace schemagate::server
