// `schemagate plan` (ARCHITECTURE.md §7): from a Job template, a migrations
// directory and the tenants of a cluster, the objects of a rollout — per tenant a
// ConfigMap with the SQL, a hardened migration Job and a suspended rollback Job —
// ordered in waves, then judged by the same engine and Context as admission.
// Pure: no clock, no I/O; the same inputs give the same plan, byte for byte.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "gates/cluster_view.hpp"
#include "gates/policy.hpp"
#include "gates/sql/migration.hpp"
#include "gates/verdict.hpp"

namespace schemagate::server {

struct WaveSpec {
  int canary = 1;                           // the first N tenants (sorted), unless canary_tenants
  std::vector<std::string> canary_tenants;  // --canary a,b
  int batch = 0;                            // 0: the policy's concurrency.maxConcurrentMigrations
};
// "canary=2,batch=10" (either part optional). False with `error` on anything else.
bool parse_waves(std::string_view text, WaveSpec& out, std::string& error);

// Equality-based label selectors as kubectl takes them: "a=b,c!=d,e,!f".
struct LabelSelector {
  struct Term {
    std::string key;
    enum class Op : std::uint8_t { kEq, kNotEq, kExists, kNotExists } op = Op::kExists;
    std::string value;
  };
  std::vector<Term> terms;
  bool matches(const std::map<std::string, std::string, std::less<>>& labels) const;
};
bool parse_label_selector(std::string_view text, LabelSelector& out, std::string& error);

struct PlanOptions {
  WaveSpec waves;
  LabelSelector namespace_selector;
  std::string lock_timeout = "5s";
  std::string statement_timeout = "15min";
  std::int64_t active_deadline_seconds = 1800;  // when the template sets none
};

struct PlannedTenant {
  std::string tenant;
  std::string namespace_name;
  std::string database;
  std::string schema;
  int wave = 0;  // 1-based
  nlohmann::json configmap;
  nlohmann::json job;
  nlohmann::json rollback_job;
};

struct Plan {
  std::string hash8;                   // of the migrations: names the ConfigMaps and Jobs
  std::string format;                  // migration format written to schemagate.io/format
  std::vector<PlannedTenant> tenants;  // wave order, then tenant, then namespace
  std::vector<std::string> notes;      // what the operator should know (batch clamped, ...)

  // Every object in apply order: per tenant ConfigMap, Job, rollback Job.
  std::vector<nlohmann::json> objects() const;
};

struct PlanInput {
  nlohmann::json job_template;                  // a batch/v1 Job
  std::vector<sql::MigrationInput> migrations;  // *.sql files; names are paths
  std::vector<gates::Namespace> namespaces;     // all of them; tenants are those labelled
  const gates::Policy* policy = nullptr;
};

// False with `error` when the inputs cannot make a plan (not a Job, no tenants,
// two files with one name, an unknown canary tenant).
bool make_plan(const PlanInput& input, const PlanOptions& options, Plan& out, std::string& error);

// One generated Job judged as admission would judge it.
struct PlanVerdict {
  const PlannedTenant* tenant = nullptr;
  std::string job_name;
  gates::Verdict verdict;
};
// Runs the engine over every generated Job with the Context admission builds
// (server/job_input.hpp): the Job, the generated ConfigMap in `cluster` (with the
// other objects of the plan), the policy. `cluster` holds the cluster state.
std::vector<PlanVerdict> judge_plan(const Plan& plan, const gates::Policy& policy,
                                    const gates::ClusterView& cluster);

}  // namespace schemagate::server
