#include "gates/common/schema_changes.hpp"

#include <algorithm>

namespace schemagate::gates::rollback {

namespace {

using sql::Node;
using sql::RelationName;
using Kind = Change::Kind;

std::optional<ObjectKind> relation_kind(std::string_view object_type) {
  if (object_type == "OBJECT_TABLE") return ObjectKind::kTable;
  if (object_type == "OBJECT_INDEX") return ObjectKind::kIndex;
  if (object_type == "OBJECT_VIEW") return ObjectKind::kView;
  if (object_type == "OBJECT_MATVIEW") return ObjectKind::kMaterializedView;
  if (object_type == "OBJECT_SEQUENCE") return ObjectKind::kSequence;
  return std::nullopt;
}

std::optional<ObjectKind> dropped_kind(std::string_view remove_type) {
  if (auto k = relation_kind(remove_type)) return k;
  if (remove_type == "OBJECT_TYPE" || remove_type == "OBJECT_DOMAIN") return ObjectKind::kType;
  if (remove_type == "OBJECT_FUNCTION" || remove_type == "OBJECT_PROCEDURE" ||
      remove_type == "OBJECT_ROUTINE")
    return ObjectKind::kFunction;
  if (remove_type == "OBJECT_SCHEMA") return ObjectKind::kSchema;
  if (remove_type == "OBJECT_TRIGGER") return ObjectKind::kTrigger;
  if (remove_type == "OBJECT_POLICY") return ObjectKind::kPolicy;
  return std::nullopt;
}

using sql::string_list;

// Column names an expression reads, first appearance first.
std::vector<std::string> expression_columns(Node expr) {
  std::vector<std::string> out;
  sql::walk(expr, [&](std::string_view tag, Node body) {
    if (tag != "ColumnRef") return;
    Node fields = body["fields"];
    if (fields.size() == 0) return;
    std::string name(sql::string_value(fields.at(fields.size() - 1)));
    if (!name.empty() && std::find(out.begin(), out.end(), name) == out.end()) out.push_back(name);
  });
  return out;
}

// The name PostgreSQL gives an unnamed index: ChooseIndexName() with the column
// names of ChooseIndexColumnNames() (an expression is named after its function, or
// "expr"; src/backend/commands/indexcmds.c, FigureIndexColname()).
std::string default_index_name(const RelationName& table, Node index) {
  std::vector<std::string> cols;
  for (Node p : index["indexParams"]) {
    Node e = p.body();
    if (!e["indexcolname"].str().empty()) {
      cols.emplace_back(e["indexcolname"].str());
    } else if (!e["name"].str().empty()) {
      cols.emplace_back(e["name"].str());
    } else if (e["expr"].tag() == "FuncCall") {
      Node fn = e["expr"].body()["funcname"];
      cols.emplace_back(sql::string_value(fn.at(fn.size() - 1)));
    } else {
      cols.emplace_back("expr");
    }
  }
  std::string label = index["primary"].boolean() ? "pkey" : (index["isconstraint"].boolean() ? "key" : "idx");
  return make_object_name(table.name, label == "pkey" ? std::string() : sql::join_underscore(cols), label);
}

// ALTER TABLE ... ADD CONSTRAINT: its name as written, or as PostgreSQL chooses it
// (ChooseConstraintName(): <table>_<columns>_fkey / _key / _pkey / _check / _excl).
Change added_constraint(const RelationName& table, Node c) {
  Change ch;
  ch.kind = Kind::kAddConstraint;
  ch.table = table;
  std::string_view type = c["contype"].str();
  if (type == "CONSTR_FOREIGN") {
    ch.columns = string_list(c["fk_attrs"]);
  } else if (type == "CONSTR_CHECK") {
    ch.columns = expression_columns(c["raw_expr"]);
  } else {
    ch.columns = string_list(c["keys"]);
  }
  std::string name(c["conname"].str());
  if (name.empty()) name = std::string(c["indexname"].str());  // USING INDEX keeps the index's name
  if (name.empty()) {
    if (type == "CONSTR_PRIMARY") {
      name = make_object_name(table.name, "", "pkey");
    } else if (type == "CONSTR_FOREIGN") {
      name = make_object_name(table.name, sql::join_underscore(ch.columns), "fkey");
    } else if (type == "CONSTR_CHECK") {
      name = make_object_name(table.name, ch.columns.size() == 1 ? ch.columns[0] : "", "check");
    } else if (type == "CONSTR_EXCLUSION") {
      name = make_object_name(table.name, sql::join_underscore(ch.columns), "excl");
    } else {
      name = make_object_name(table.name, sql::join_underscore(ch.columns), "key");
    }
  }
  ch.name = RelationName{table.schema, name};
  return ch;
}

void alter_table(const sql::Statement& st, std::vector<Change>& out) {
  RelationName table = sql::range_var(st.body()["relation"]);
  for (Node cmd : st.body()["cmds"]) {
    Node c = cmd.body();
    std::string_view sub = c["subtype"].str();
    Change ch;
    ch.table = table;
    ch.name = table;
    ch.column = std::string(c["name"].str());
    ch.statement = &st;
    if (sub == "AT_AddColumn") {
      ch.kind = Kind::kAddColumn;
      ch.column = std::string(c["def"].body()["colname"].str());
    } else if (sub == "AT_DropColumn") {
      ch.kind = Kind::kDropColumn;
    } else if (sub == "AT_AddConstraint") {
      ch = added_constraint(table, c["def"].body());
      ch.statement = &st;
    } else if (sub == "AT_DropConstraint") {
      ch.kind = Kind::kDropConstraint;
      ch.name = RelationName{table.schema, ch.column};
      ch.column.clear();
    } else if (sub == "AT_SetNotNull") {
      ch.kind = Kind::kSetNotNull;
    } else if (sub == "AT_DropNotNull") {
      ch.kind = Kind::kDropNotNull;
    } else if (sub == "AT_ColumnDefault") {
      ch.kind = c["def"] ? Kind::kSetDefault : Kind::kDropDefault;
    } else if (sub == "AT_EnableRowSecurity") {
      ch.kind = Kind::kEnableRls;
    } else if (sub == "AT_DisableRowSecurity") {
      ch.kind = Kind::kDisableRls;
    } else {
      continue;
    }
    ch.cascade = c["behavior"].str() == "DROP_CASCADE";
    out.push_back(std::move(ch));
  }
}

void drop(const sql::Statement& st, std::vector<Change>& out) {
  Node body = st.body();
  auto kind = dropped_kind(body["removeType"].str());
  if (!kind) return;
  for (Node obj : body["objects"]) {
    Change ch;
    ch.kind = Kind::kDrop;
    ch.object = *kind;
    ch.cascade = body["behavior"].str() == "DROP_CASCADE";
    ch.statement = &st;
    switch (*kind) {
      case ObjectKind::kType:
        ch.name = sql::qualified_name(obj.body()["names"]);
        break;
      case ObjectKind::kFunction:
        ch.name = sql::qualified_name(obj.body()["objname"]);
        break;
      case ObjectKind::kSchema:
        ch.name.name = std::string(sql::string_value(obj));
        break;
      case ObjectKind::kTrigger:
      case ObjectKind::kPolicy: {
        std::vector<std::string> parts = string_list(obj.body()["items"]);
        if (parts.size() < 2) continue;
        ch.name.name = parts.back();
        ch.table.name = parts[parts.size() - 2];
        if (parts.size() >= 3) ch.table.schema = parts[parts.size() - 3];
        break;
      }
      default:
        ch.name = sql::qualified_name(obj.body()["items"]);
        break;
    }
    out.push_back(std::move(ch));
  }
}

}  // namespace

std::string_view object_kind_name(ObjectKind k) {
  switch (k) {
    case ObjectKind::kTable:
      return "table";
    case ObjectKind::kIndex:
      return "index";
    case ObjectKind::kView:
      return "view";
    case ObjectKind::kMaterializedView:
      return "materialized view";
    case ObjectKind::kSequence:
      return "sequence";
    case ObjectKind::kType:
      return "type";
    case ObjectKind::kFunction:
      return "function";
    case ObjectKind::kSchema:
      return "schema";
    case ObjectKind::kTrigger:
      return "trigger";
    case ObjectKind::kPolicy:
      return "policy";
  }
  return "object";
}

std::vector<Change> script_changes(const sql::Script& script) {
  std::vector<Change> out;
  for (const sql::Statement& st : script.statements) {
    Node b = st.body();
    std::string_view tag = st.tag();
    Change ch;
    ch.kind = Kind::kCreate;
    ch.statement = &st;
    if (tag == "CreateStmt") {
      ch.name = sql::range_var(b["relation"]);
    } else if (tag == "CreateTableAsStmt") {
      ch.object = b["objtype"].str() == "OBJECT_MATVIEW" ? ObjectKind::kMaterializedView : ObjectKind::kTable;
      ch.name = sql::range_var(b["into"]["rel"]);
    } else if (tag == "SelectStmt" && sql::select_into(b)) {
      ch.name = sql::range_var(sql::select_into(b)["rel"]);  // SELECT ... INTO creates a table
    } else if (tag == "ViewStmt") {
      ch.object = ObjectKind::kView;
      ch.name = sql::range_var(b["view"]);
      sql::walk(b["query"], [&](std::string_view t, Node n) {
        if (t == "RangeVar") ch.columns.push_back(sql::range_var(n).name);
      });
    } else if (tag == "IndexStmt") {
      ch.object = ObjectKind::kIndex;
      ch.table = sql::range_var(b["relation"]);
      std::string name(b["idxname"].str());
      ch.name = RelationName{ch.table.schema, name.empty() ? default_index_name(ch.table, b) : name};
    } else if (tag == "CreateSeqStmt") {
      ch.object = ObjectKind::kSequence;
      ch.name = sql::range_var(b["sequence"]);
    } else if (tag == "CreateEnumStmt" || tag == "CreateRangeStmt") {
      ch.object = ObjectKind::kType;
      ch.name = sql::qualified_name(b["typeName"]);
    } else if (tag == "CompositeTypeStmt") {
      ch.object = ObjectKind::kType;
      ch.name = sql::range_var(b["typevar"]);
    } else if (tag == "CreateDomainStmt") {
      ch.object = ObjectKind::kType;
      ch.name = sql::qualified_name(b["domainname"]);
    } else if (tag == "CreateFunctionStmt") {
      ch.object = ObjectKind::kFunction;
      ch.name = sql::qualified_name(b["funcname"]);
    } else if (tag == "CreateSchemaStmt") {
      ch.object = ObjectKind::kSchema;
      ch.name.name = std::string(b["schemaname"].str());
    } else if (tag == "CreateTrigStmt") {
      ch.object = ObjectKind::kTrigger;
      ch.name.name = std::string(b["trigname"].str());
      ch.table = sql::range_var(b["relation"]);
      ch.columns = {sql::qualified_name(b["funcname"]).name};
    } else if (tag == "CreatePolicyStmt") {
      ch.object = ObjectKind::kPolicy;
      ch.name.name = std::string(b["policy_name"].str());
      ch.table = sql::range_var(b["table"]);
    } else if (tag == "DropStmt") {
      drop(st, out);
      continue;
    } else if (tag == "AlterTableStmt") {
      alter_table(st, out);
      continue;
    } else if (tag == "RenameStmt") {
      std::string_view type = b["renameType"].str();
      ch.name = sql::range_var(b["relation"]);
      ch.new_name = std::string(b["newname"].str());
      if (type == "OBJECT_COLUMN") {
        ch.kind = Kind::kRenameColumn;
        ch.table = ch.name;
        ch.column = std::string(b["subname"].str());
      } else if (auto k = relation_kind(type)) {
        ch.kind = Kind::kRename;
        ch.object = *k;
        ch.table = ch.name;
      } else {
        continue;
      }
    } else {
      continue;
    }
    if (ch.name.empty()) continue;
    ch.replace = b["replace"].boolean();
    out.push_back(std::move(ch));
  }
  return out;
}

std::string file_base(const std::string& path) {
  std::size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string down_display(const sql::Migration& m) {
  if (!m.down) return "the down migration";
  const std::string& file = m.down->source->name();
  if (!m.down->go_function.empty()) {
    return (m.down->go_function == "func literal" ? std::string("the down function") : m.down->go_function) +
           " in " + file;
  }
  if (m.format == sql::Format::kGoose) return "the Down section of " + file;
  return file;
}

}  // namespace schemagate::gates::rollback
