#include "gates/tenancy/tenant_scoped_keys.hpp"

#include <algorithm>

#include "gates/common/shared_schema.hpp"

namespace schemagate::gates::tenancy {

const GateInfo& TenantScopedKeys::info() const {
  static const GateInfo kInfo{
      "tenancy.tenant-scoped-keys",
      "In shared-schema tenancy, a foreign key or unique key that leaves out the tenant column is denied.",
      Category::kTenancy,
      Severity::kError,
      {{"exempt_tables", OptionSpec::Type::kStringList, "",
        "Tables that hold no tenant data (lookup tables), as name or schema.name."},
       {"include_primary_keys", OptionSpec::Type::kBool, "false",
        "Also require the tenant column in primary keys (a global identity key is unique across tenants "
        "already, so this is off by default)."}}};
  return kInfo;
}

namespace {

bool has(const std::vector<std::string>& cols, const std::string& c) {
  return std::find(cols.begin(), cols.end(), c) != cols.end();
}

std::string join(const std::vector<std::string>& cols) {
  std::string out;
  for (const auto& c : cols)
    out += (out.empty() ? "" : ", ") + quote_ident(c);
  return out;
}

}  // namespace

void TenantScopedKeys::check(const Context& ctx, const sql::Script& script, const sql::Statement& st,
                             Reporter& out) const {
  if (!shared_schema_mode(ctx)) return;
  const std::string& tc = ctx.policy->tenancy.tenant_column;
  bool include_pk = out.options().get_bool("include_primary_keys");
  std::string_view tag = st.tag();
  sql::RelationName table;
  if (tag == "CreateStmt" || tag == "AlterTableStmt" || tag == "IndexStmt")
    table = sql::range_var(st.body()["relation"]);
  if (table.empty() || is_exempt(out.options(), table)) return;
  std::string t = display_relation(table);

  auto unique_key = [&](const std::vector<std::string>& cols, const std::string& what) {
    if (cols.empty() || has(cols, tc)) return;
    Finding& f =
        out.report(script, st,
                   what + " on " + t + " (" + join(cols) + ") leaves out " + quote_ident(tc) +
                       ": one tenant's row can block another tenant's insert and reveal that it exists.",
                   "Lead the key with the tenant column: (" + join([&] {
                     std::vector<std::string> k{tc};
                     k.insert(k.end(), cols.begin(), cols.end());
                     return k;
                   }()) +
                       ").");
    f.steps = {"Create the unique index as (" + quote_ident(tc) + ", " + join(cols) + ") instead."};
  };
  auto foreign_key = [&](const std::vector<std::string>& from, const std::vector<std::string>& to,
                         const sql::RelationName& target) {
    if (has(from, tc) && (to.empty() || has(to, tc))) return;
    std::string ref = display_relation(target);
    Finding& f =
        out.report(script, st,
                   "Foreign key from " + t + " (" + join(from) + ") to " + ref + " leaves out " +
                       quote_ident(tc) + ": a row of one tenant can reference another tenant's row.",
                   "Make the foreign key composite on the tenant column: (" + quote_ident(tc) + ", " +
                       join(from) + ") REFERENCES " + ref + " (" + quote_ident(tc) + ", ...).");
    f.steps = {"Add a unique key on " + ref + " (" + quote_ident(tc) + ", id) if it has none.",
               "Reference it with FOREIGN KEY (" + quote_ident(tc) + ", " + join(from) + ")."};
  };
  auto constraint = [&](sql::Node con, const std::string& column) {
    std::string_view type = con["contype"].str();
    std::vector<std::string> keys = name_list(con["keys"]);
    if (keys.empty() && !column.empty()) keys = {column};
    if (type == "CONSTR_UNIQUE") unique_key(keys, "Unique key");
    if (type == "CONSTR_PRIMARY" && include_pk) unique_key(keys, "Primary key");
    if (type == "CONSTR_FOREIGN") {
      std::vector<std::string> from = name_list(con["fk_attrs"]);
      if (from.empty() && !column.empty()) from = {column};
      foreign_key(from, name_list(con["pk_attrs"]), sql::range_var(con["pktable"]));
    }
  };

  if (tag == "IndexStmt") {
    if (!st.body()["unique"].boolean()) return;
    std::vector<std::string> cols;
    for (sql::Node e : st.body()["indexParams"]) {
      std::string_view name = e.body()["name"].str();
      if (!name.empty()) cols.emplace_back(name);
    }
    if (!cols.empty()) unique_key(cols, "Unique index");
    return;
  }
  if (tag == "CreateStmt") {
    for (sql::Node elt : st.body()["tableElts"]) {
      if (elt.tag() == "Constraint") constraint(elt.body(), "");
      if (elt.tag() == "ColumnDef") {
        for (sql::Node c : elt.body()["constraints"])
          constraint(c.body(), std::string(elt.body()["colname"].str()));
      }
    }
    return;
  }
  for (sql::Node cmd : st.body()["cmds"]) {
    sql::Node c = cmd.body();
    if (c["subtype"].str() == "AT_AddConstraint") constraint(c["def"].body(), "");
    if (c["subtype"].str() == "AT_AddColumn") {
      sql::Node def = c["def"].body();
      for (sql::Node k : def["constraints"])
        constraint(k.body(), std::string(def["colname"].str()));
    }
  }
}

}  // namespace schemagate::gates::tenancy
