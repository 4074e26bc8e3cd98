#include "gates/common/column_types.hpp"

#include "gates/common/statement_gate.hpp"

namespace schemagate::gates::coltypes {

namespace {

bool list_has(sql::Node list, std::string_view name) {
  for (sql::Node n : list) {
    if (sql::string_value(n) == name) return true;
  }
  return false;
}

// Marks key membership from the column's own constraints and from the table
// constraints declared in the same statement.
void mark_keys(ColumnType& c, sql::Node column_constraints, const std::vector<sql::Node>& table_constraints) {
  for (sql::Node n : column_constraints) {
    std::string_view type = n.body()["contype"].str();
    if (type == "CONSTR_PRIMARY") c.primary_key = true;
    if (type == "CONSTR_FOREIGN") c.foreign_key = true;
  }
  for (sql::Node con : table_constraints) {
    std::string_view type = con["contype"].str();
    if (type == "CONSTR_PRIMARY" && list_has(con["keys"], c.column)) c.primary_key = true;
    if (type == "CONSTR_FOREIGN" && list_has(con["fk_attrs"], c.column)) c.foreign_key = true;
  }
}

}  // namespace

void for_each_column_type(const sql::Statement& st, const std::function<void(const ColumnType&)>& fn) {
  std::string_view tag = st.tag();
  sql::Node s = st.body();
  if (tag == "CreateStmt") {
    std::vector<sql::Node> table_constraints;
    for (sql::Node elt : s["tableElts"]) {
      if (elt.tag() == "Constraint") table_constraints.push_back(elt.body());
    }
    for (sql::Node elt : s["tableElts"]) {
      if (elt.tag() != "ColumnDef") continue;
      sql::Node def = elt.body();
      ColumnType c;
      c.table = sql::range_var(s["relation"]);
      c.column = std::string(def["colname"].str());
      c.type = def["typeName"];
      c.column_def = def;
      c.origin = ColumnType::Origin::kCreateTable;
      mark_keys(c, def["constraints"], table_constraints);
      if (c.type) fn(c);
    }
  } else if (tag == "AlterTableStmt") {
    std::vector<sql::Node> table_constraints;
    for (sql::Node cmd : s["cmds"]) {
      sql::Node b = cmd.body();
      std::string_view sub = b["subtype"].str();
      if (sub == "AT_AddConstraint" || sub == "AT_AddConstraintRecurse")
        table_constraints.push_back(b["def"].body());
    }
    for (sql::Node cmd : s["cmds"]) {
      sql::Node b = cmd.body();
      std::string_view sub = b["subtype"].str();
      bool add = sub == "AT_AddColumn" || sub == "AT_AddColumnRecurse";
      if (!add && sub != "AT_AlterColumnType") continue;
      sql::Node def = b["def"].body();
      ColumnType c;
      c.table = sql::range_var(s["relation"]);
      c.column = std::string(add ? def["colname"].str() : b["name"].str());
      c.type = def["typeName"];
      c.column_def = def;
      c.origin = add ? ColumnType::Origin::kAddColumn : ColumnType::Origin::kAlterType;
      mark_keys(c, def["constraints"], table_constraints);
      if (c.type) fn(c);
    }
  }
}

std::string display_column(const ColumnType& c) {
  return display_relation(c.table) + "." + quote_ident(c.column);
}

}  // namespace schemagate::gates::coltypes
