// What the concurrency gates and the lease lock agree on: which (tenant, database)
// a migration Job targets, and whether a Job still counts as running. One
// definition, so the gates' snapshot check and the reviewer's Lease name the same
// database the same way.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gates/context.hpp"

namespace schemagate::gates::concurrency {

struct MigrationTarget {
  std::string tenant;    // the namespace's schemagate.io/tenant label; the namespace name without one
  std::string database;  // schemagate.io/database, else the tenant's first (default) database
  bool database_from_annotation = false;

  bool operator==(const MigrationTarget& o) const { return tenant == o.tenant && database == o.database; }
  std::string display() const { return tenant + "/" + database; }
};

// The target of `job` in namespace `ns` (null when the view does not know the
// namespace: then the tenant is the namespace name and the database template
// applies). An unlabelled namespace stands for itself, so two migrations there are
// still serialized; tenancy.require-tenant-label is what denies the namespace.
MigrationTarget migration_target(const Job& job, std::string_view namespace_name, const Namespace* ns,
                                 const Policy& policy);

// The target of the Job under review; nullopt without a Job or a policy.
std::optional<MigrationTarget> job_target(const Context& ctx);

// A labelled migration Job without a Complete or Failed condition that is not
// suspended: it runs, waits to run, or is about to be retried by its controller. A
// suspended Job (spec.suspend, e.g. the rollback Job `schemagate plan` creates next
// to its forward Job) has no pods and touches no database until resumed.
bool is_active_migration(const Job& job);

// The same Job (an UPDATE sees itself in the view): same namespace and name.
bool same_job(const Job& a, std::string_view a_namespace, const Job& b);

// Active migration Jobs of the view other than the Job under review, in the view's
// order (namespace, name).
std::vector<Job> other_active_migrations(const Context& ctx);

// "acme/migrate-1, globex/migrate-7 and 3 more": Job names for a message.
std::string job_list(const std::vector<Job>& jobs, std::size_t shown);

}  // namespace schemagate::gates::concurrency
