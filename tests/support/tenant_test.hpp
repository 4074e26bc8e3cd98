// Test support for tenancy and concurrency gates: a cluster state (YAML, as
// --cluster-state reads it), a Job, its SQL, a policy; the Context built exactly as
// admission builds it (server/job_input.hpp).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "support/gate_test.hpp"

namespace schemagate::testing {

struct ClusterRunOptions {
  std::string cluster_yaml;  // Namespaces, Jobs, ConfigMaps, Leases
  std::string job_yaml;      // the Job under review; namespace from its metadata
  std::vector<std::pair<std::string, std::string>> sql_files;  // the SQL its ConfigMaps would hold
  std::string policy_yaml;
  bool dry_run = false;
};

// Three tenants: acme (namespace acme, schemas tenant_acme), globex (namespace
// globex, schemas globex_main,globex_audit, database globex_db), initech (namespace
// initech, no annotations), and namespace tools without a tenant label.
std::string three_tenants_yaml();
// A labelled migration Job named `name` in namespace `ns`, extra annotations as
// YAML lines ("schemagate.io/database: x").
std::string migration_job_yaml(const std::string& name, const std::string& ns,
                               const std::vector<std::string>& annotations = {});

Run run_cluster(const ClusterRunOptions& options);

// `sql` as configmap/acme-sql/1_x.up.sql of Job acme-migrate in namespace acme of
// three_tenants_yaml(), under `policy_yaml` (the defaults when empty).
Run run_as_acme(const std::string& sql, const std::string& policy_yaml = "");

}  // namespace schemagate::testing
