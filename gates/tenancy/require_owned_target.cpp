#include "gates/tenancy/require_owned_target.hpp"

#include "gates/common/statement_gate.hpp"
#include "gates/common/tenancy.hpp"

namespace schemagate::gates::tenancy {

const GateInfo& RequireOwnedTarget::info() const {
  static const GateInfo kInfo{"tenancy.require-owned-target",
                              "A migration Job whose database or schema annotation names a target its "
                              "namespace's tenant does not own is "
                              "denied.",
                              Category::kTenancy,
                              Severity::kError,
                              {}};
  return kInfo;
}

void RequireOwnedTarget::evaluate(const Context& ctx, Reporter& out) const {
  if (ctx.job == nullptr || !ctx.job->is_migration()) return;
  std::optional<Tenant> self = job_tenant(ctx);
  if (!self) return;
  const std::string& job = ctx.job->meta.name;
  if (const std::string* db = ctx.job->meta.annotation(keys::kDatabase)) {
    if (!self->owns_database(*db)) {
      std::optional<Tenant> owner = other_owner(ctx, *self, *db, true);
      std::string whose =
          owner ? "tenant " + owner->id + "'s database" : "a database tenant " + self->id + " does not own";
      std::string owned;
      for (const auto& d : self->databases)
        owned += (owned.empty() ? "" : ", ") + d;
      out.report(Location{"metadata.annotations[schemagate.io/database]", 0, 0, -1},
                 "Job " + job + " in tenant " + self->id + "'s namespace targets database " +
                     quote_ident(*db) + ", " + whose + ".",
                 "Set schemagate.io/database to one of tenant " + self->id + "'s databases (" + owned +
                     "), or run the Job in the owning tenant's namespace.");
    }
  }
  if (ctx.policy != nullptr && ctx.policy->tenancy.model == TenancyModel::kSchemaPerTenant) {
    if (const std::string* schema = ctx.job->meta.annotation(keys::kSchema)) {
      if (!self->owns_schema(*schema)) {
        std::optional<Tenant> owner = other_owner(ctx, *self, *schema, false);
        std::string whose =
            owner ? "tenant " + owner->id + "'s schema" : "a schema tenant " + self->id + " does not own";
        out.report(Location{"metadata.annotations[schemagate.io/schema]", 0, 0, -1},
                   "Job " + job + " in tenant " + self->id + "'s namespace targets schema " +
                       quote_ident(*schema) + ", " + whose + ".",
                   "Set schemagate.io/schema to one of tenant " + self->id + "'s schemas (" +
                       self->schema_list() + ").");
      }
    }
  }
}

}  // namespace schemagate::gates::tenancy
