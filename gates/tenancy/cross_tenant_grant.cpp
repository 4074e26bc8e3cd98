#include "gates/tenancy/cross_tenant_grant.hpp"

#include "gates/common/tenancy.hpp"

namespace schemagate::gates::tenancy {

const GateInfo& CrossTenantGrant::info() const {
  static const GateInfo kInfo{
      "tenancy.cross-tenant-grant",
      "GRANT or REVOKE to PUBLIC or to a role that is not the tenant's own is denied.",
      Category::kTenancy,
      Severity::kError,
      {}};
  return kInfo;
}

namespace {

// Grantees of GRANT/REVOKE (privileges or role membership) and of ALTER DEFAULT
// PRIVILEGES: RoleSpec nodes, "ROLESPEC_PUBLIC" for PUBLIC.
std::vector<std::string> grantees(const sql::Statement& st) {
  std::vector<std::string> out;
  sql::Node b = st.body();
  if (st.tag() == "AlterDefaultPrivilegesStmt") b = b["action"];  // a bare GrantStmt
  for (sql::Node g : b[st.tag() == "GrantRoleStmt" ? "grantee_roles" : "grantees"]) {
    sql::Node spec = g.body();
    std::string_view type = spec["roletype"].str();
    if (type == "ROLESPEC_PUBLIC") {
      out.emplace_back("PUBLIC");
    } else if (type == "ROLESPEC_CSTRING") {
      out.emplace_back(spec["rolename"].str());
    }
  }
  return out;
}

}  // namespace

void CrossTenantGrant::evaluate(const Context& ctx, Reporter& out) const {
  if (ctx.policy == nullptr) return;
  std::optional<Tenant> self = job_tenant(ctx);
  if (!self) return;
  for (const sql::Script* script : ctx.scripts()) {
    for (const sql::Statement& st : script->statements) {
      std::string_view tag = st.tag();
      if (tag != "GrantStmt" && tag != "GrantRoleStmt" && tag != "AlterDefaultPrivilegesStmt") continue;
      bool grant = tag == "AlterDefaultPrivilegesStmt" ? st.body()["action"]["is_grant"].boolean()
                                                       : st.body()["is_grant"].boolean();
      std::string verb = grant ? "grants" : "revokes";
      for (const std::string& role : grantees(st)) {
        if (role == "PUBLIC") {
          // Revoking from PUBLIC narrows access: the safe direction.
          if (!grant) continue;
          out.report(
              *script, st,
              "Tenant " + self->id +
                  "'s migration grants privileges to PUBLIC: every role of every tenant "
                  "gets them.",
              "Grant to tenant " + self->id + "'s own roles (" + self->id + "_...) instead of PUBLIC.");
          continue;
        }
        if (self->owns_role(role)) continue;
        out.report(*script, st,
                   "Tenant " + self->id + "'s migration " + verb + " privileges " + (grant ? "to" : "from") +
                       " role " + quote_ident(role) + ", which is not one of tenant " + self->id +
                       "'s roles.",
                   "Grant and revoke only to tenant " + self->id +
                       "'s own roles; cross-tenant access is the "
                       "platform's decision, not a migration's.");
      }
    }
  }
}

}  // namespace schemagate::gates::tenancy
