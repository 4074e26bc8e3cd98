#include "gates/common/constraints.hpp"

#include <algorithm>

#include "gates/common/statement_gate.hpp"

namespace schemagate::gates {

std::vector<sql::Node> alter_table_commands(const sql::Statement& st) {
  std::vector<sql::Node> out;
  if (st.tag() != "AlterTableStmt") return out;
  for (sql::Node c : st.body()["cmds"])
    out.push_back(c.body());
  return out;
}

sql::RelationName alter_table_relation(const sql::Statement& st) {
  return sql::range_var(st.body()["relation"]);
}

const sql::RelationLock* existing_lock(const sql::Statement& st, const sql::RelationName& r) {
  const sql::RelationLock* l = st.facts.find(r);
  return l == nullptr || l->is_new ? nullptr : l;
}

namespace {

std::vector<std::string> names_of(sql::Node list) {
  std::vector<std::string> out;
  for (sql::Node n : list)
    out.emplace_back(sql::string_value(n));
  return out;
}

std::string_view default_suffix(std::string_view contype) {
  if (contype == "CONSTR_FOREIGN") return "fkey";
  if (contype == "CONSTR_CHECK") return "check";
  if (contype == "CONSTR_PRIMARY") return "pkey";
  if (contype == "CONSTR_UNIQUE") return "key";
  if (contype == "CONSTR_EXCLUSION") return "excl";
  return "";
}

AddedConstraint describe(sql::Node con, const std::string& table, const std::string& new_column) {
  AddedConstraint a;
  a.def = con;
  a.contype = con["contype"].str();
  a.not_valid = con["skip_validation"].boolean();
  a.using_index = !con["indexname"].str().empty();
  a.column = new_column;
  if (a.contype == "CONSTR_FOREIGN") {
    a.columns = names_of(con["fk_attrs"]);
  } else if (a.contype == "CONSTR_PRIMARY" || a.contype == "CONSTR_UNIQUE") {
    a.columns = names_of(con["keys"]);
  } else if (a.contype == "CONSTR_CHECK") {
    a.columns = referenced_columns(con["raw_expr"]);
  } else if (a.contype == "CONSTR_EXCLUSION") {
    for (sql::Node pair : con["exclusions"]) {
      sql::Node elem = pair.body()["items"].at(0).body();
      if (!elem["name"].str().empty()) a.columns.emplace_back(elem["name"].str());
    }
  }
  if (a.columns.empty() && !new_column.empty() && a.contype != "CONSTR_CHECK") a.columns = {new_column};
  if (a.contype == "CONSTR_CHECK" && a.columns.empty() && !new_column.empty()) a.columns = {new_column};
  a.named = !con["conname"].str().empty();
  if (a.named) {
    a.name = std::string(con["conname"].str());
  } else if (a.contype == "CONSTR_PRIMARY") {
    a.name = default_constraint_name(table, {}, "pkey");
  } else if (a.contype == "CONSTR_CHECK") {
    // AddRelationNewConstraints: the column is named only when exactly one is referenced.
    a.name = default_constraint_name(table, a.columns.size() == 1 ? a.columns : std::vector<std::string>{},
                                     "check");
  } else {
    a.name = default_constraint_name(table, a.columns, default_suffix(a.contype));
  }
  return a;
}

}  // namespace

std::vector<AddedConstraint> added_constraints(const sql::Statement& st) {
  std::vector<AddedConstraint> out;
  std::string table = alter_table_relation(st).name;
  for (sql::Node cmd : alter_table_commands(st)) {
    std::string_view sub = cmd["subtype"].str();
    if (sub == "AT_AddConstraint" || sub == "AT_AddConstraintRecurse") {
      out.push_back(describe(cmd["def"].body(), table, ""));
    } else if (sub == "AT_AddColumn" || sub == "AT_AddColumnRecurse") {
      sql::Node coldef = cmd["def"].body();
      std::string column(coldef["colname"].str());
      for (sql::Node c : coldef["constraints"]) {
        std::string_view type = c.body()["contype"].str();
        if (type == "CONSTR_FOREIGN" || type == "CONSTR_CHECK" || type == "CONSTR_PRIMARY" ||
            type == "CONSTR_UNIQUE")
          out.push_back(describe(c.body(), table, column));
      }
    }
  }
  return out;
}

std::string default_constraint_name(std::string_view table, const std::vector<std::string>& columns,
                                    std::string_view suffix) {
  // makeObjectName (src/backend/commands/indexcmds.c): names are limited to
  // NAMEDATALEN - 1 = 63 bytes; the longer of the two parts is shortened first.
  std::string name1(table);
  std::string name2;
  for (const auto& c : columns)
    name2 += (name2.empty() ? "" : "_") + c;
  std::size_t overhead = suffix.size() + 1 + (name2.empty() ? 0 : 1);
  constexpr std::size_t kMax = 63;
  while (name1.size() + name2.size() + overhead > kMax) {
    if (name1.size() > name2.size()) {
      name1.pop_back();
    } else {
      name2.pop_back();
    }
  }
  std::string out = name1;
  if (!name2.empty()) out += "_" + name2;
  return out + "_" + std::string(suffix);
}

std::vector<std::string> referenced_columns(sql::Node expr) {
  std::vector<std::string> out;
  sql::walk(expr, [&](std::string_view tag, sql::Node body) {
    if (tag != "ColumnRef") return;
    sql::Node fields = body["fields"];
    if (fields.size() == 0) return;
    std::string name(sql::string_value(fields.at(fields.size() - 1)));
    if (!name.empty() && std::find(out.begin(), out.end(), name) == out.end()) out.push_back(name);
  });
  return out;
}

std::string not_null_check_column(sql::Node con) {
  if (con["contype"].str() != "CONSTR_CHECK") return {};
  sql::Node expr = con["raw_expr"];
  if (expr.tag() != "NullTest" || expr.body()["nulltesttype"].str() != "IS_NOT_NULL") return {};
  sql::Node arg = expr.body()["arg"];
  if (arg.tag() != "ColumnRef") return {};
  sql::Node fields = arg.body()["fields"];
  if (fields.size() != 1) return {};
  return std::string(sql::string_value(fields.at(0)));
}

std::string statement_place(const sql::Script& script, const sql::Statement& st) {
  return script.source->name() + ":" + std::to_string(st.position.line);
}

bool is_transaction_control(const sql::Statement& st) {
  return st.tag() == "TransactionStmt";
}

const sql::Migration* migration_of(const Context& ctx, const sql::Script& script) {
  if (ctx.migrations == nullptr) return nullptr;
  for (const sql::Migration& m : ctx.migrations->migrations) {
    if ((m.up && &*m.up == &script) || (m.down && &*m.down == &script)) return &m;
  }
  return nullptr;
}

sql::RelationName table_of_index(const Context& ctx, const sql::RelationName& index) {
  for (const sql::Script* script : ctx.scripts()) {
    for (const sql::Statement& st : script->statements) {
      if (st.tag() != "IndexStmt" || st.body()["idxname"].str() != index.name) continue;
      sql::RelationName table = sql::range_var(st.body()["relation"]);
      if (index.schema.empty() || table.schema.empty() || index.schema == table.schema) return table;
    }
  }
  return {};
}

std::string a_lock(sql::LockMode m) {
  std::string_view name = sql::lock_mode_name(m);
  bool vowel = !name.empty() && (name[0] == 'A' || name[0] == 'E');
  return std::string(vowel ? "an " : "a ") + std::string(name) + " lock";
}

std::string join_idents(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names)
    out += (out.empty() ? "" : ", ") + quote_ident(n);
  return out;
}

}  // namespace schemagate::gates
