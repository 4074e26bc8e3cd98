// Test support: run the engine over a Job (YAML or JSON text, or a json value) the
// way admission review judges it: the Job, its namespace, the session settings its
// PGOPTIONS gives, its approval annotation, optional SQL (the migrations its ConfigMap
// would hold) and optional ConfigMaps visible in the cluster.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "gates/cluster_view.hpp"
#include "support/gate_test.hpp"

namespace schemagate::testing {

struct JobRunOptions {
  // (name, SQL) pairs, e.g. {"configmap/orders-sql/001_x.up.sql", "..."}.
  std::vector<std::pair<std::string, std::string>> sql_files;
  std::string policy_yaml;                   // parsed with the real policy loader; must be valid
  std::vector<gates::ConfigMap> configmaps;  // the cluster view; none: no cluster state at all
  std::string namespace_name = "shop";       // when the Job names none
};

// A labelled migration Job every job.* gate admits: backoffLimit 0, a deadline,
// restartPolicy Never, an image pinned by digest, PGOPTIONS with both timeouts.
nlohmann::json hardened_job();

// YAML (one document) or JSON to the json the API would send. Throws on bad YAML.
nlohmann::json job_json(const std::string& text);

Run run_job(const nlohmann::json& job, const JobRunOptions& options = {});
Run run_job(const std::string& job_text, const JobRunOptions& options = {});

}  // namespace schemagate::testing
