#include "gates/tenancy/cross_tenant_schema.hpp"

#include <cctype>
#include <set>

#include "gates/common/script_objects.hpp"
#include "gates/common/tenancy.hpp"

namespace schemagate::gates::tenancy {

const GateInfo& CrossTenantSchema::info() const {
  static const GateInfo kInfo{
      "tenancy.cross-tenant-schema",
      "A tenant's migration that reads or changes a schema the tenant does not own is denied.",
      Category::kTenancy,
      Severity::kError,
      {}};
  return kInfo;
}

namespace {

struct SchemaUse {
  std::string schema;
  bool changes = false;
  std::uint32_t offset = 0;
  std::string object;  // what names it: "orders", "search_path", "function body"
};

// FK targets are judged by tenancy.cross-tenant-foreign-key, not here.
void collect_fk_targets(sql::Node n, std::set<const sql::JsonValue*>& out) {
  sql::walk(n, [&](std::string_view tag, sql::Node body) {
    if (tag == "Constraint" && body["contype"].str() == "CONSTR_FOREIGN") out.insert(body["pktable"].raw());
  });
}

template <typename Fn>
void for_each_object(sql::Node n, const Fn& fn, int depth = 0) {
  if (depth > 1000) return;
  if (n.is_array()) {
    for (sql::Node c : n)
      for_each_object(c, fn, depth + 1);
    return;
  }
  if (!n.is_object()) return;
  fn(n);
  for (const sql::JsonMember* m = n.members_begin(); m != n.members_end(); ++m) {
    sql::Node child(&m->value);
    if (child.is_object() || child.is_array()) for_each_object(child, fn, depth + 1);
  }
}

bool changes_relation(const sql::Statement& st, const sql::RelationName& r) {
  const sql::RelationLock* l = st.facts.find(r);
  if (l != nullptr && l->mode >= sql::LockMode::kRowExclusive) return true;
  for (const auto& c : st.facts.creates) {
    if (c.matches(r)) return true;
  }
  for (const auto& d : st.facts.drops) {
    if (d.matches(r)) return true;
  }
  return false;
}

// Qualified identifiers "<schema>.<name>" in a function body, for the schemas of
// other tenants only (record.field looks the same, so unknown prefixes are not
// reported from bodies).
void scan_body(std::string_view body, std::uint32_t offset, const std::vector<std::string>& foreign,
               std::vector<SchemaUse>& uses) {
  auto ident = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  for (const std::string& schema : foreign) {
    for (std::size_t at = body.find(schema); at != std::string_view::npos; at = body.find(schema, at + 1)) {
      bool starts = at == 0 || !ident(body[at - 1]);
      std::size_t end = at + schema.size();
      if (starts && end + 1 < body.size() && body[end] == '.' && ident(body[end + 1])) {
        uses.push_back({schema, true, offset, "a function body"});
        break;
      }
    }
  }
}

std::vector<SchemaUse> schema_uses(const Context& ctx, const Tenant& self, const sql::Script& script,
                                   const sql::Statement& st, std::vector<std::string>& foreign_schemas,
                                   bool& foreign_loaded) {
  std::vector<SchemaUse> uses;
  std::set<const sql::JsonValue*> fk_targets;
  collect_fk_targets(st.ast, fk_targets);
  // RangeVars appear wrapped ({"RangeVar": {...}} in FROM lists) and bare (the
  // "relation" of UPDATE, ALTER TABLE, CREATE INDEX): any object with a relname.
  for_each_object(st.ast, [&](sql::Node obj) {
    if (!obj["relname"].is_string() || fk_targets.count(obj.raw()) || obj["schemaname"].str().empty()) return;
    sql::RelationName r = sql::range_var(obj);
    uses.push_back({r.schema, changes_relation(st, r), objects::node_offset(script, st, obj), r.name});
  });
  std::string_view tag = st.tag();
  sql::Node b = st.body();
  if (tag == "CreateSchemaStmt") {
    uses.push_back({std::string(b["schemaname"].str()), true, st.offset, "CREATE SCHEMA"});
  } else if (tag == "DropStmt" || tag == "AlterObjectSchemaStmt") {
    for (const auto& d : st.facts.drops) {
      if (!d.schema.empty()) uses.push_back({d.schema, true, st.offset, d.name});
    }
    if (b["removeType"].str() == "OBJECT_SCHEMA") {
      for (sql::Node o : b["objects"])
        uses.push_back({std::string(sql::string_value(o)), true, st.offset, "DROP SCHEMA"});
    }
    if (!b["newschema"].str().empty())
      uses.push_back({std::string(b["newschema"].str()), true, st.offset, "SET SCHEMA"});
  } else if (tag == "VariableSetStmt" && b["name"].str() == "search_path") {
    for (sql::Node a : b["args"]) {
      std::string_view s = a.body()["sval"]["sval"].str();
      if (!s.empty() && s != "$user") uses.push_back({std::string(s), false, st.offset, "search_path"});
    }
  } else if (tag == "CreateFunctionStmt") {
    sql::Node names = b["funcname"];
    if (names.size() >= 2)
      uses.push_back({std::string(sql::string_value(names.at(0))), true, st.offset, "a function"});
    for (sql::Node opt : b["options"]) {
      if (opt.body()["defname"].str() != "as") continue;
      if (!foreign_loaded) {
        foreign_loaded = true;
        if (ctx.cluster != nullptr) {
          for (const Namespace& ns : ctx.cluster->list_namespaces()) {
            std::optional<Tenant> t = tenant_of(ns, *ctx.policy);
            if (t && t->id != self.id)
              foreign_schemas.insert(foreign_schemas.end(), t->schemas.begin(), t->schemas.end());
          }
        }
      }
      sql::Node arg = opt.body()["arg"];
      if (arg.tag() == "List") arg = arg.body()["items"];
      for (sql::Node part : arg)
        scan_body(sql::string_value(part), st.offset, foreign_schemas, uses);
    }
  }
  return uses;
}

}  // namespace

void CrossTenantSchema::evaluate(const Context& ctx, Reporter& out) const {
  if (ctx.policy == nullptr || ctx.policy->tenancy.model != TenancyModel::kSchemaPerTenant) return;
  std::optional<Tenant> self = job_tenant(ctx);
  if (!self) return;  // no tenant context: tenancy.require-tenant-label speaks for that
  std::vector<std::string> foreign_schemas;
  bool foreign_loaded = false;
  for (const sql::Script* script : ctx.scripts()) {
    for (const sql::Statement& st : script->statements) {
      // SET ROLE / SET SESSION AUTHORIZATION to a role of another tenant acts with
      // that tenant's privileges on its schemas.
      if (st.tag() == "VariableSetStmt" &&
          (st.body()["name"].str() == "role" || st.body()["name"].str() == "session_authorization")) {
        std::string_view role = st.body()["args"].at(0).body()["sval"]["sval"].str();
        if (!role.empty() && role != "none" && !self->owns_role(role)) {
          out.report(*script, st,
                     "Tenant " + self->id + "'s migration switches to role " + quote_ident(role) +
                         ", which is not one of its roles.",
                     "Run tenant migrations as the tenant's own role (" + self->id +
                         "_...), granted by the platform.");
        }
      }
      std::set<std::string> reported;
      for (const SchemaUse& use : schema_uses(ctx, *self, *script, st, foreign_schemas, foreign_loaded)) {
        if (use.schema.empty() || self->owns_schema(use.schema) || is_system_schema(use.schema)) continue;
        if (is_shared_schema(*ctx.policy, use.schema) && !use.changes) continue;
        if (!reported.insert(use.schema).second) continue;
        std::string verb = use.changes ? "changes" : "reads";
        std::string what = use.object.empty() ? std::string() : " (" + use.object + ")";
        if (is_shared_schema(*ctx.policy, use.schema)) {
          out.report_at(*script, st, use.offset,
                        "Tenant " + self->id + "'s migration changes shared schema " +
                            quote_ident(use.schema) + what + ", which every tenant uses.",
                        "Change shared schemas in a platform migration, not in a tenant's; keep tenant " +
                            self->id + "'s changes in " + self->schema_list() + ".");
          continue;
        }
        std::optional<Tenant> owner = other_owner(ctx, *self, use.schema, false);
        std::string whose =
            owner ? "tenant " + owner->id + "'s schema " + quote_ident(use.schema)
                  : "schema " + quote_ident(use.schema) + ", which tenant " + self->id + " does not own";
        Finding& f = out.report_at(
            *script, st, use.offset, "Tenant " + self->id + "'s migration " + verb + " " + whose + what + ".",
            "Qualify objects with tenant " + self->id + "'s own schema (" + self->schema_list() +
                ") or leave them unqualified and set search_path to it.");
        if (owner)
          f.steps = {"Tenant " + owner->id + " (namespace " + owner->namespace_name + ") owns " + use.schema +
                     "."};
      }
    }
  }
}

}  // namespace schemagate::gates::tenancy
