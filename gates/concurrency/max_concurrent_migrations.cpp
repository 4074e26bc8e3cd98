#include "gates/concurrency/max_concurrent_migrations.hpp"

#include "gates/common/migration_target.hpp"

namespace schemagate::gates::concurrency {

const GateInfo& MaxConcurrentMigrations::info() const {
  static const GateInfo kInfo{"concurrency.max-concurrent-migrations",
                              "A migration Job is denied while the cluster already runs the policy's maximum "
                              "number of migration Jobs.",
                              Category::kConcurrency,
                              Severity::kError,
                              {}};
  return kInfo;
}

void MaxConcurrentMigrations::evaluate(const Context& ctx, Reporter& out) const {
  if (ctx.job == nullptr || !ctx.job->is_migration() || ctx.cluster == nullptr || ctx.policy == nullptr)
    return;
  if (ctx.operation != "CREATE" && ctx.operation != "UPDATE") return;
  if (ctx.job->suspended) return;  // runs nothing until resumed
  const std::size_t limit =
      static_cast<std::size_t>(std::max(1, ctx.policy->concurrency.max_concurrent_migrations));
  std::vector<Job> running = other_active_migrations(ctx);
  if (running.size() < limit) return;
  std::string name = ctx.job->meta.name.empty() ? std::string("this Job") : "Job " + ctx.job->meta.name;
  out.report(Location{"metadata.labels[schemagate.io/migration]", 0, 0, -1},
             name + " in namespace " + ctx.namespace_name + " would exceed the limit of " +
                 std::to_string(limit) + " concurrent migrations: " + std::to_string(running.size()) +
                 " migration Jobs have not finished (" + job_list(running, 3) + ").",
             "Create this Job again once one of them completes or fails, or raise "
             "concurrency.maxConcurrentMigrations in the policy if the databases can take the load.");
}

}  // namespace schemagate::gates::concurrency
