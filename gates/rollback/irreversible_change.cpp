#include "gates/rollback/irreversible_change.hpp"

#include <map>
#include <optional>
#include <set>

#include "gates/common/statement_gate.hpp"
#include "gates/context.hpp"

namespace schemagate::gates::rollback {

namespace {

using sql::Node;
using sql::RelationName;

constexpr std::string_view kApprove = "schemagate.io/approve: \"rollback.irreversible-change: <reason>\"";

struct ColumnType {
  std::string name;  // PostgreSQL's internal name: int8, varchar, numeric
  std::vector<long long> mods;
};

ColumnType normalized_type(Node type_name) {
  ColumnType t{sql::type_name(type_name), sql::type_mods(type_name)};
  if (t.name == "bigserial" || t.name == "serial8") t.name = "int8";
  if (t.name == "serial" || t.name == "serial4") t.name = "int4";
  if (t.name == "smallserial" || t.name == "serial2") t.name = "int2";
  if (t.name == "decimal") t.name = "numeric";
  if (sql::type_is_array(type_name)) t.name += "[]";
  return t;
}

std::string display_type(const ColumnType& t) {
  static const std::map<std::string, std::string, std::less<>> kNames = {
      {"int2", "smallint"},           {"int4", "integer"}, {"int8", "bigint"}, {"float4", "real"},
      {"float8", "double precision"}, {"bpchar", "char"},  {"bool", "boolean"}};
  auto it = kNames.find(t.name);
  std::string out = it == kNames.end() ? t.name : it->second;
  if (!t.mods.empty()) {
    out += "(";
    for (std::size_t i = 0; i < t.mods.size(); ++i) {
      if (i > 0) out += ',';
      out += std::to_string(t.mods[i]);
    }
    out += ")";
  }
  return out;
}

int integer_rank(std::string_view n) {
  if (n == "int2") return 1;
  if (n == "int4") return 2;
  if (n == "int8") return 3;
  return 0;
}
bool is_float(std::string_view n) {
  return n == "float4" || n == "float8";
}
bool is_text(std::string_view n) {
  return n == "text" || n == "varchar" || n == "bpchar";
}
bool is_time(std::string_view n) {
  return n == "timestamp" || n == "timestamptz" || n == "time" || n == "timetz" || n == "interval";
}

// Whether a type change can lose what is stored: a smaller integer, fewer digits,
// a shorter string, coarser fractional seconds (PostgreSQL docs §8.1, §8.3, §8.5).
bool narrows(const ColumnType& from, const ColumnType& to) {
  int fi = integer_rank(from.name);
  int ti = integer_rank(to.name);
  if (ti > 0) {
    if (fi > 0) return ti < fi;
    return from.name == "numeric" || is_float(from.name);  // fractions are rounded away
  }
  if (to.name == "float4") return from.name == "float8" || from.name == "numeric" || fi == 3;
  if (to.name == "float8") return from.name == "numeric" || fi == 3;
  if (to.name == "numeric" && !to.mods.empty()) {
    long long tp = to.mods[0];
    long long ts = to.mods.size() > 1 ? to.mods[1] : 0;
    if (from.name == "numeric") {
      if (from.mods.empty()) return true;
      long long fp = from.mods[0];
      long long fs = from.mods.size() > 1 ? from.mods[1] : 0;
      return ts < fs || tp - ts < fp - fs;
    }
    if (is_float(from.name)) return true;
    static constexpr long long kDigits[] = {0, 5, 10, 19};  // decimal digits of int2/int4/int8
    return fi > 0 && tp - ts < kDigits[fi];
  }
  if ((to.name == "varchar" || to.name == "bpchar") && !to.mods.empty() && is_text(from.name)) {
    if (from.name == "text" || from.mods.empty()) return true;
    return to.mods[0] < from.mods[0];
  }
  if (is_time(to.name) && to.name == from.name && !to.mods.empty()) {
    long long fp = from.mods.empty() ? 6 : from.mods[0];  // microseconds by default
    return to.mods[0] < fp;
  }
  return false;
}

std::string key(const RelationName& table, std::string_view column) {
  return table.name + "\x1f" + std::string(column);
}

class Checker {
 public:
  Checker(const sql::Script& script, Reporter& out) : script_(script), out_(out) {}

  void report(const sql::Statement& st, const std::string& message, const std::string& backup) {
    Finding& f = out_.report(script_, st, message,
                             backup + ", then approve the loss with " + std::string(kApprove) + ".");
    f.steps = {backup + ".", "Check the copy (row counts), and keep it until the release is final.",
               "Add the annotation " + std::string(kApprove) + " to the migration Job."};
  }

 private:
  const sql::Script& script_;
  Reporter& out_;
};

bool is_new(const sql::Statement& st, const RelationName& r) {
  const sql::RelationLock* lock = st.facts.find(r);
  return lock != nullptr && lock->is_new;
}

// The old type of a column, from a down that changes it back.
std::optional<ColumnType> type_in_down(const sql::Migration& m, const RelationName& table,
                                       std::string_view column) {
  if (!m.down) return std::nullopt;
  for (const sql::Statement& st : m.down->statements) {
    if (st.tag() != "AlterTableStmt" || !sql::range_var(st.body()["relation"]).matches(table)) continue;
    for (Node cmd : st.body()["cmds"]) {
      Node c = cmd.body();
      if (c["subtype"].str() == "AT_AlterColumnType" && c["name"].str() == column)
        return normalized_type(c["def"].body()["typeName"]);
    }
  }
  return std::nullopt;
}

}  // namespace

const GateInfo& IrreversibleChange::info() const {
  static const GateInfo kInfo{"rollback.irreversible-change",
                              "An up migration that drops a table or column, deletes every row or narrows a "
                              "column type destroys data "
                              "that no down migration can restore.",
                              Category::kRollback,
                              Severity::kError,
                              {}};
  return kInfo;
}

void IrreversibleChange::evaluate(const Context& ctx, Reporter& out) const {
  if (ctx.migrations == nullptr) return;
  // Column types as the migrations define them, in version order, to know what a
  // later ALTER COLUMN ... TYPE narrows from.
  std::map<std::string, ColumnType> types;
  for (const sql::Migration& m : ctx.migrations->migrations) {
    if (!m.up) continue;  // down migrations drop what their up created: that is their job
    const sql::Script& script = *m.up;
    Checker check(script, out);
    std::set<std::string> added;  // columns this script adds
    for (const sql::Statement& st : script.statements) {
      Node b = st.body();
      std::string_view tag = st.tag();
      if (tag == "CreateStmt") {
        RelationName t = sql::range_var(b["relation"]);
        for (Node e : b["tableElts"]) {
          if (e.tag() == "ColumnDef")
            types[key(t, e.body()["colname"].str())] = normalized_type(e.body()["typeName"]);
        }
      } else if (tag == "DropStmt" && b["removeType"].str() == "OBJECT_TABLE") {
        for (Node obj : b["objects"]) {
          RelationName t = sql::qualified_name(obj.body()["items"]);
          if (is_new(st, t)) continue;
          std::string name = display_relation(t);
          check.report(
              st,
              "DROP TABLE deletes " + name + " and every row in it: no down migration can bring them back.",
              "Copy the data first (CREATE TABLE " + quote_ident(t.name + "_backup") + " AS TABLE " + name +
                  ", or pg_dump -t " + name + ")");
        }
      } else if (tag == "DropStmt" && b["removeType"].str() == "OBJECT_SCHEMA" &&
                 b["behavior"].str() == "DROP_CASCADE") {
        for (Node obj : b["objects"]) {
          std::string name = quote_ident(sql::string_value(obj));
          check.report(
              st,
              "DROP SCHEMA " + name +
                  " CASCADE deletes every table in it and their rows: no down migration can bring them back.",
              "Back up the schema first (pg_dump -n " + name + ")");
        }
      } else if (tag == "TruncateStmt") {
        for (Node r : b["relations"]) {
          RelationName t = sql::range_var(r);
          if (is_new(st, t)) continue;
          std::string name = display_relation(t);
          check.report(st,
                       "TRUNCATE deletes every row of " + name + ": no down migration can bring them back.",
                       "Copy the rows first (CREATE TABLE " + quote_ident(t.name + "_backup") + " AS TABLE " +
                           name + ")");
        }
      } else if (tag == "DeleteStmt" && !b["whereClause"]) {
        RelationName t = sql::range_var(b["relation"]);
        if (is_new(st, t)) continue;
        std::string name = display_relation(t);
        check.report(
            st,
            "DELETE without WHERE deletes every row of " + name + ": no down migration can bring them back.",
            "Copy the rows first (CREATE TABLE " + quote_ident(t.name + "_backup") + " AS TABLE " + name +
                ")");
      } else if (tag == "RenameStmt" && b["renameType"].str() == "OBJECT_COLUMN") {
        RelationName t = sql::range_var(b["relation"]);
        auto it = types.find(key(t, b["subname"].str()));
        if (it != types.end()) {
          ColumnType ct = it->second;
          types.erase(it);
          types[key(t, b["newname"].str())] = ct;
        }
      } else if (tag == "AlterTableStmt") {
        RelationName t = sql::range_var(b["relation"]);
        bool new_table = is_new(st, t);
        for (Node cmd : b["cmds"]) {
          Node c = cmd.body();
          std::string_view sub = c["subtype"].str();
          std::string column(c["name"].str());
          std::string col = display_relation(t) + "." + quote_ident(column);
          if (sub == "AT_AddColumn") {
            Node def = c["def"].body();
            types[key(t, def["colname"].str())] = normalized_type(def["typeName"]);
            added.insert(key(t, def["colname"].str()));
          } else if (sub == "AT_DropColumn") {
            if (new_table || added.count(key(t, column))) continue;
            check.report(
                st, "DROP COLUMN deletes every value of " + col + ": no down migration can bring them back.",
                "Copy the column first (CREATE TABLE " + quote_ident(t.name + "_" + column + "_backup") +
                    " AS SELECT <primary key>, " + quote_ident(column) + " FROM " + display_relation(t) +
                    ")");
          } else if (sub == "AT_AlterColumnType") {
            ColumnType to = normalized_type(c["def"].body()["typeName"]);
            std::optional<ColumnType> from;
            if (auto it = types.find(key(t, column)); it != types.end()) from = it->second;
            if (!from) from = type_in_down(m, t, column);
            types[key(t, column)] = to;
            if (!from || new_table || added.count(key(t, column)) || !narrows(*from, to)) continue;
            check.report(
                st,
                "Changing " + col + " from " + display_type(*from) + " to " + display_type(to) +
                    " narrows it: stored values are cut, rounded or rejected, and no down migration can "
                    "restore them.",
                "Copy the column first (CREATE TABLE " + quote_ident(t.name + "_" + column + "_backup") +
                    " AS SELECT <primary key>, " + quote_ident(column) + " FROM " + display_relation(t) +
                    ")");
          }
        }
      }
    }
  }
}

}  // namespace schemagate::gates::rollback
