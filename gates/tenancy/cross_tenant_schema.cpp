#include "gates/tenancy/cross_tenant_schema.hpp"

#include <cctype>
#include <set>

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

// Qualified names "<schema>.<name>" in a function body whose schema another tenant
// owns (record.field looks the same, so unknown prefixes are not reported from
// bodies). One pass over the body, each prefix looked up in the directory; unquoted
// names fold to lower case as PostgreSQL folds them.
void scan_body(std::string_view body, std::uint32_t offset, const TenantDirectory& directory,
               std::string_view self_id, std::vector<SchemaUse>& uses) {
  auto ident = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$' ||
           static_cast<unsigned char>(c) >= 0x80;
  };
  std::set<std::string> seen;
  std::size_t i = 0;
  while (i < body.size()) {
    std::string name;
    std::size_t end = i;
    if (body[i] == '"') {  // "quoted" name; "" is a quote inside it
      for (end = i + 1; end < body.size(); ++end) {
        if (body[end] != '"') {
          name += body[end];
        } else if (end + 1 < body.size() && body[end + 1] == '"') {
          name += '"';
          ++end;
        } else {
          break;
        }
      }
      if (end < body.size()) ++end;  // past the closing quote
    } else if (ident(body[i])) {
      while (end < body.size() && ident(body[end]))
        name += static_cast<char>(std::tolower(static_cast<unsigned char>(body[end++])));
    } else {
      ++i;
      continue;
    }
    bool qualifies =
        end + 1 < body.size() && body[end] == '.' && (ident(body[end + 1]) || body[end + 1] == '"');
    if (qualifies && directory.owner(name, false, self_id) != nullptr && seen.insert(name).second)
      uses.push_back({name, true, offset, "a function body"});
    i = end;
  }
}

std::vector<SchemaUse> schema_uses(const Context& ctx, const Tenant& self, const sql::Script& /*script*/,
                                   const sql::Statement& st,
                                   std::shared_ptr<const TenantDirectory>& directory) {
  std::vector<SchemaUse> uses;
  for (const sql::SchemaRef& ref : st.facts.schema_refs) {
    if (ref.fk_target) continue;  // judged by tenancy.cross-tenant-foreign-key
    uses.push_back({ref.relation.schema, changes_relation(st, ref.relation), st.offset_at(ref.location),
                    ref.relation.name});
  }
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
      if (!directory) directory = tenant_directory(ctx);
      if (!directory) continue;
      sql::Node arg = opt.body()["arg"];
      if (arg.tag() == "List") arg = arg.body()["items"];
      for (sql::Node part : arg)
        scan_body(sql::string_value(part), st.offset, *directory, self.id, uses);
    }
  }
  return uses;
}

}  // namespace

void CrossTenantSchema::evaluate(const Context& ctx, Reporter& out) const {
  if (ctx.policy == nullptr || ctx.policy->tenancy.model != TenancyModel::kSchemaPerTenant) return;
  std::optional<Tenant> self = job_tenant(ctx);
  if (!self) return;  // no tenant context: tenancy.require-tenant-label speaks for that
  std::shared_ptr<const TenantDirectory> directory;  // loaded at the first function body
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
      // A qualified name, a function body naming another schema and ALTER ... SET
      // SCHEMA all need a '.' or a schema statement: most statements have neither,
      // and a text scan is far cheaper than walking their parse tree.
      std::string_view tag = st.tag();
      bool schema_statement = tag == "CreateSchemaStmt" || tag == "DropStmt" ||
                              tag == "AlterObjectSchemaStmt" || tag == "VariableSetStmt";
      if (!schema_statement && script->sql(st).find('.') == std::string_view::npos) continue;
      std::set<std::string> reported;
      for (const SchemaUse& use : schema_uses(ctx, *self, *script, st, directory)) {
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
