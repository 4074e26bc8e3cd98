#include "gates/concurrency/one_migration_per_database.hpp"

#include <map>

#include "gates/common/migration_target.hpp"

namespace schemagate::gates::concurrency {

const GateInfo& OneMigrationPerDatabase::info() const {
  static const GateInfo kInfo{
      "concurrency.one-migration-per-database",
      "A migration Job is denied while another migration Job for the same tenant database has not finished.",
      Category::kConcurrency,
      Severity::kError,
      {}};
  return kInfo;
}

void OneMigrationPerDatabase::evaluate(const Context& ctx, Reporter& out) const {
  if (ctx.job == nullptr || !ctx.job->is_migration() || ctx.cluster == nullptr) return;
  if (ctx.operation != "CREATE" && ctx.operation != "UPDATE") return;
  if (ctx.job->suspended) return;  // runs nothing until resumed
  std::optional<MigrationTarget> self = job_target(ctx);
  if (!self) return;

  // Namespaces are looked up once each: 500 tenant Jobs share a handful of them.
  std::map<std::string, std::optional<Namespace>, std::less<>> namespaces;
  auto namespace_of = [&](const std::string& name) -> const Namespace* {
    auto it = namespaces.find(name);
    if (it == namespaces.end()) it = namespaces.emplace(name, ctx.cluster->get_namespace(name)).first;
    return it->second ? &*it->second : nullptr;
  };

  for (const Job& other : other_active_migrations(ctx)) {
    const std::string& other_ns = other.meta.namespace_name;
    if (migration_target(other, other_ns, namespace_of(other_ns), *ctx.policy) != *self) continue;
    std::string where = self->database_from_annotation ? "metadata.annotations[schemagate.io/database]"
                                                       : "metadata.namespace";
    std::string name = ctx.job->meta.name.empty() ? std::string("this Job") : "Job " + ctx.job->meta.name;
    out.report(Location{where, 0, 0, -1},
               name + " migrates database " + self->database + " of tenant " + self->tenant +
                   " while migration Job " + other.meta.name + " in namespace " + other_ns +
                   " has not finished: two migrations of one database interleave their locks and "
                   "versions.",
               "Wait until Job " + other_ns + "/" + other.meta.name +
                   " completes or fails (kubectl wait --for=condition=complete job/" + other.meta.name +
                   " -n " + other_ns + "), or delete it, then create this Job again.");
    return;  // one running migration is enough to say no; naming every one adds nothing
  }
}

}  // namespace schemagate::gates::concurrency
