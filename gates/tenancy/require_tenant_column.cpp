#include "gates/tenancy/require_tenant_column.hpp"

#include <algorithm>

#include "gates/common/shared_schema.hpp"

namespace schemagate::gates::tenancy {

const GateInfo& RequireTenantColumn::info() const {
  static const GateInfo kInfo{"tenancy.require-tenant-column",
                              "In shared-schema tenancy, a new table without the tenant column is denied.",
                              Category::kTenancy,
                              Severity::kError,
                              {{"exempt_tables", OptionSpec::Type::kStringList, "",
                                "Tables that hold no tenant data (lookup tables), as name or schema.name."}}};
  return kInfo;
}

void RequireTenantColumn::check(const Context& ctx, const sql::Script& script, const sql::Statement& st,
                                Reporter& out) const {
  if (!shared_schema_mode(ctx) || st.tag() != "CreateStmt") return;
  if (!st.body()["partbound"].missing()) return;  // a partition inherits its parent's columns
  sql::RelationName table = sql::range_var(st.body()["relation"]);
  if (is_exempt(out.options(), table)) return;
  const std::string& col = ctx.policy->tenancy.tenant_column;
  std::vector<std::string> cols = table_columns(st);
  if (std::find(cols.begin(), cols.end(), col) != cols.end()) return;
  std::string t = display_relation(table);
  Finding& f =
      out.report(script, st,
                 "Table " + t + " has no " + quote_ident(col) +
                     " column: in shared-schema tenancy its rows belong to no tenant and every tenant "
                     "can see them.",
                 "Add " + quote_ident(col) + " to " + t +
                     " (NOT NULL), or list the table in the gate's "
                     "exempt_tables option if it holds no tenant data.");
  f.steps = {"Add " + quote_ident(col) + " bigint NOT NULL (the type of your tenants' key) to CREATE TABLE " +
                 t + ".",
             "Lead its primary key, unique constraints and foreign keys with " + quote_ident(col) + ".",
             "Enable row-level security on " + t + " with a policy on " + quote_ident(col) + "."};
}

}  // namespace schemagate::gates::tenancy
