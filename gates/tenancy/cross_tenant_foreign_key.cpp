#include "gates/tenancy/cross_tenant_foreign_key.hpp"

#include "gates/common/tenancy.hpp"

namespace schemagate::gates::tenancy {

const GateInfo& CrossTenantForeignKey::info() const {
  static const GateInfo kInfo{"tenancy.cross-tenant-foreign-key",
                              "A foreign key from a tenant's schema into another tenant's schema is denied.",
                              Category::kTenancy,
                              Severity::kError,
                              {}};
  return kInfo;
}

namespace {

// The table a constraint belongs to: CREATE TABLE's or ALTER TABLE's relation.
sql::RelationName owning_table(const sql::Statement& st) {
  if (st.tag() == "CreateStmt" || st.tag() == "AlterTableStmt") return sql::range_var(st.body()["relation"]);
  return {};
}

}  // namespace

void CrossTenantForeignKey::evaluate(const Context& ctx, Reporter& out) const {
  if (ctx.policy == nullptr || ctx.policy->tenancy.model == TenancyModel::kSharedSchema) return;
  std::optional<Tenant> self = job_tenant(ctx);
  if (!self) return;
  for (const sql::Script* script : ctx.scripts()) {
    for (const sql::Statement& st : script->statements) {
      // Only a schema-qualified target can cross tenants: skip statements without a '.'.
      if (script->sql(st).find('.') == std::string_view::npos) continue;
      sql::RelationName from = owning_table(st);
      for (const sql::SchemaRef& ref : st.facts.schema_refs) {
        if (!ref.fk_target) continue;
        const sql::RelationName& to = ref.relation;
        if (self->owns_schema(to.schema) || is_system_schema(to.schema)) continue;
        if (is_shared_schema(*ctx.policy, to.schema)) continue;  // references into shared schemas are fine
        std::optional<Tenant> owner = other_owner(ctx, *self, to.schema, false);
        std::string target = owner
                                 ? "tenant " + owner->id + "'s table " + display_relation(to)
                                 : "table " + display_relation(to) + " in schema " + quote_ident(to.schema) +
                                       ", which tenant " + self->id + " does not own";
        std::string source = from.empty() ? std::string("a table") : display_relation(from);
        Finding& f =
            out.report_at(*script, st, st.offset_at(ref.location),
                          "Foreign key from tenant " + self->id + "'s " + source + " references " + target +
                              ": the tenants' data can no longer be moved, restored or deleted apart.",
                          "Reference only tables in tenant " + self->id + "'s schemas (" +
                              self->schema_list() + ") or in a shared schema.");
        if (owner) {
          f.steps = {"Tenant " + owner->id + " (namespace " + owner->namespace_name + ") owns schema " +
                         to.schema + ".",
                     "If both tenants need the data, move it to a shared schema the policy lists "
                     "(tenancy.sharedSchemas)."};
        }
      }
    }
  }
}

}  // namespace schemagate::gates::tenancy
