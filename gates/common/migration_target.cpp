#include "gates/common/migration_target.hpp"

#include "gates/common/tenancy.hpp"

namespace schemagate::gates::concurrency {

MigrationTarget migration_target(const Job& job, std::string_view namespace_name, const Namespace* ns,
                                 const Policy& policy) {
  MigrationTarget t;
  std::optional<Tenant> tenant = ns != nullptr ? tenant_of(*ns, policy) : std::nullopt;
  t.tenant = tenant ? tenant->id : std::string(namespace_name);
  if (const std::string* db = job.meta.annotation(keys::kDatabase); db != nullptr && !db->empty()) {
    t.database = *db;
    t.database_from_annotation = true;
  } else if (tenant && !tenant->databases.empty()) {
    t.database = tenant->databases.front();
  } else {
    t.database = expand_tenant_template(policy.tenancy.database_template, t.tenant);
  }
  return t;
}

std::optional<MigrationTarget> job_target(const Context& ctx) {
  if (ctx.job == nullptr || ctx.policy == nullptr) return std::nullopt;
  std::optional<Namespace> ns =
      ctx.cluster != nullptr ? ctx.cluster->get_namespace(ctx.namespace_name) : std::nullopt;
  return migration_target(*ctx.job, ctx.namespace_name, ns ? &*ns : nullptr, *ctx.policy);
}

bool is_active_migration(const Job& job) {
  return job.is_migration() && !job.finished() && !job.suspended;
}

bool same_job(const Job& a, std::string_view a_namespace, const Job& b) {
  return !a.meta.name.empty() && a.meta.name == b.meta.name && a_namespace == b.meta.namespace_name;
}

std::vector<Job> other_active_migrations(const Context& ctx) {
  std::vector<Job> out;
  if (ctx.cluster == nullptr) return out;
  for (Job& j : ctx.cluster->active_migration_jobs()) {
    if (!is_active_migration(j)) continue;
    if (ctx.job != nullptr && same_job(*ctx.job, ctx.namespace_name, j)) continue;
    out.push_back(std::move(j));
  }
  return out;
}

std::string job_list(const std::vector<Job>& jobs, std::size_t shown) {
  std::string out;
  std::size_t n = std::min(shown, jobs.size());
  for (std::size_t i = 0; i < n; ++i) {
    if (i > 0) out += (i + 1 == n && jobs.size() == n) ? " and " : ", ";
    out += jobs[i].meta.namespace_name + "/" + jobs[i].meta.name;
  }
  if (jobs.size() > n) out += " and " + std::to_string(jobs.size() - n) + " more";
  return out;
}

}  // namespace schemagate::gates::concurrency
