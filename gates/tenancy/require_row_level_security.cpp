#include "gates/tenancy/require_row_level_security.hpp"

#include "gates/common/shared_schema.hpp"
#include "gates/common/statement_gate.hpp"

namespace schemagate::gates::tenancy {

const GateInfo& RequireRowLevelSecurity::info() const {
  static const GateInfo kInfo{
      "tenancy.require-row-level-security",
      "In shared-schema tenancy, a new table without row-level security and a policy is denied.",
      Category::kTenancy,
      Severity::kError,
      {{"exempt_tables", OptionSpec::Type::kStringList, "",
        "Tables that hold no tenant data (lookup tables), as name or schema.name."}}};
  return kInfo;
}

void RequireRowLevelSecurity::evaluate(const Context& ctx, Reporter& out) const {
  if (!shared_schema_mode(ctx)) return;
  // Row-level security may be enabled in a later statement or migration of the set.
  std::vector<sql::RelationName> enabled;
  std::vector<sql::RelationName> with_policy;
  for (const sql::Script* script : ctx.scripts()) {
    if (script->direction != sql::Direction::kUp) continue;
    for (const sql::Statement& st : script->statements) {
      if (st.tag() == "CreatePolicyStmt") with_policy.push_back(sql::range_var(st.body()["table"]));
      if (st.tag() != "AlterTableStmt") continue;
      for (sql::Node cmd : st.body()["cmds"]) {
        if (cmd.body()["subtype"].str() == "AT_EnableRowSecurity")
          enabled.push_back(sql::range_var(st.body()["relation"]));
      }
    }
  }
  auto listed = [](const std::vector<sql::RelationName>& list, const sql::RelationName& t) {
    for (const auto& r : list) {
      if (r.matches(t)) return true;
    }
    return false;
  };
  for (const sql::Script* script : ctx.scripts()) {
    if (script->direction != sql::Direction::kUp) continue;
    for (const sql::Statement& st : script->statements) {
      if (st.tag() != "CreateStmt" || !st.body()["partbound"].missing()) continue;
      sql::RelationName table = sql::range_var(st.body()["relation"]);
      if (is_exempt(out.options(), table)) continue;
      bool rls = listed(enabled, table);
      bool policy = listed(with_policy, table);
      if (rls && policy) continue;
      std::string t = display_relation(table);
      const std::string& tc = ctx.policy->tenancy.tenant_column;
      std::string missing = !rls && !policy ? "row-level security is not enabled and no policy is created"
                            : !rls          ? "row-level security is not enabled (its policy is not enforced)"
                                   : "row-level security is enabled but no policy is created (all rows "
                                     "are hidden from non-owners)";
      Finding& f = out.report(*script, st, "Table " + t + " is shared by every tenant, but " + missing + ".",
                              "Enable row-level security on " + t + " and create a policy that matches " +
                                  quote_ident(tc) + " to the current tenant.");
      f.steps = {"ALTER TABLE " + t + " ENABLE ROW LEVEL SECURITY;",
                 "CREATE POLICY " + table.name + "_tenant_isolation ON " + t + " USING (" + quote_ident(tc) +
                     " = current_setting('app.tenant_id')::bigint);"};
    }
  }
}

}  // namespace schemagate::gates::tenancy
