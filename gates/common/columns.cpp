#include "gates/common/columns.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <utility>

#include "gates/common/statement_gate.hpp"

namespace schemagate::gates::columns {

std::string a_lock_phrase(sql::LockMode mode, const sql::RelationName& r) {
  std::string phrase = lock_phrase(mode, r);
  bool vowel = phrase[0] == 'A' || phrase[0] == 'E';  // ACCESS ..., EXCLUSIVE
  return (vowel ? "an " : "a ") + phrase;
}

sql::Node column_constraint(sql::Node coldef, std::string_view contype) {
  for (sql::Node c : coldef["constraints"]) {
    sql::Node con = c.body();
    if (con["contype"].str() == contype) return con;
  }
  return {};
}

sql::Node column_default(sql::Node coldef) {
  sql::Node con = column_constraint(coldef, "CONSTR_DEFAULT");
  if (!con) return {};
  sql::Node expr = con["raw_expr"];
  if (expr.tag() == "A_Const" && expr.body()["isnull"].boolean()) return {};  // DEFAULT NULL
  return con;
}

void for_each_alter_cmd(const sql::Statement& st, std::string_view subtype,
                        const std::function<void(const sql::RelationName&, sql::Node cmd)>& fn) {
  if (st.tag() != "AlterTableStmt") return;
  sql::Node s = st.body();
  if (s["objtype"].str() != "OBJECT_TABLE") return;
  sql::RelationName table = sql::range_var(s["relation"]);
  for (sql::Node c : s["cmds"]) {
    sql::Node cmd = c.body();
    std::string_view sub = cmd["subtype"].str();
    // The *Recurse variants are what older parsers emit for the same command.
    if (sub == subtype || (sub.size() == subtype.size() + 7 && sub.substr(0, subtype.size()) == subtype &&
                           sub.substr(subtype.size()) == "Recurse")) {
      fn(table, cmd);
    }
  }
}

bool table_is_new(const sql::Statement& st, const sql::RelationName& table) {
  const sql::RelationLock* lock = st.facts.find(table);
  return lock == nullptr || lock->is_new;
}

namespace {

struct KnownColumn {
  sql::RelationName table;
  std::string column;
  SqlType type;
};

class ColumnHistory {
 public:
  void replay(const sql::Statement& st) {
    std::string_view tag = st.tag();
    sql::Node s = st.body();
    if (tag == "CreateStmt") {
      sql::RelationName table = sql::range_var(s["relation"]);
      drop_table(table);
      for (sql::Node elt : s["tableElts"]) {
        if (elt.tag() != "ColumnDef") continue;
        sql::Node def = elt.body();
        set(table, def["colname"].str(), column_type(def["typeName"]));
      }
    } else if (tag == "AlterTableStmt") {
      sql::RelationName table = sql::range_var(s["relation"]);
      for (sql::Node c : s["cmds"]) {
        sql::Node cmd = c.body();
        std::string_view sub = cmd["subtype"].str();
        if (sub == "AT_AddColumn" || sub == "AT_AddColumnRecurse") {
          sql::Node def = cmd["def"].body();
          set(table, def["colname"].str(), column_type(def["typeName"]));
        } else if (sub == "AT_AlterColumnType") {
          set(table, cmd["name"].str(), column_type(cmd["def"].body()["typeName"]));
        } else if (sub == "AT_DropColumn" || sub == "AT_DropColumnRecurse") {
          erase(table, cmd["name"].str());
        }
      }
    } else if (tag == "RenameStmt") {
      sql::RelationName table = sql::range_var(s["relation"]);
      std::string_view type = s["renameType"].str();
      if (type == "OBJECT_COLUMN") {
        for (auto& k : known_) {
          if (k.table.matches(table) && k.column == s["subname"].str())
            k.column = std::string(s["newname"].str());
        }
      } else if (type == "OBJECT_TABLE") {
        for (auto& k : known_) {
          if (k.table.matches(table)) k.table.name = std::string(s["newname"].str());
        }
      }
    } else if (tag == "DropStmt" && s["removeType"].str() == "OBJECT_TABLE") {
      for (sql::Node obj : s["objects"]) {
        sql::Node list = obj.tag() == "List" ? obj.body()["items"] : obj;
        drop_table(sql::qualified_name(list));
      }
    }
  }

  std::optional<SqlType> find(const sql::RelationName& table, std::string_view column) const {
    for (const auto& k : known_) {
      if (k.table.matches(table) && k.column == column) return k.type;
    }
    return std::nullopt;
  }

 private:
  void set(const sql::RelationName& table, std::string_view column, SqlType type) {
    erase(table, column);
    known_.push_back(KnownColumn{table, std::string(column), std::move(type)});
  }
  void erase(const sql::RelationName& table, std::string_view column) {
    std::erase_if(known_, [&](const KnownColumn& k) { return k.table.matches(table) && k.column == column; });
  }
  void drop_table(const sql::RelationName& table) {
    std::erase_if(known_, [&](const KnownColumn& k) { return k.table.matches(table); });
  }

  std::vector<KnownColumn> known_;
};

}  // namespace

std::optional<SqlType> column_type_before(const Context& ctx, const sql::Script& script,
                                          const sql::Statement& st, const sql::RelationName& table,
                                          std::string_view column) {
  ColumnHistory history;
  auto replay_until = [&](const sql::Script& s, const sql::Statement* stop) {
    for (const sql::Statement& x : s.statements) {
      if (&x == stop) return;
      history.replay(x);
    }
  };
  bool found = false;
  if (ctx.migrations != nullptr) {
    for (const sql::Migration& m : ctx.migrations->migrations) {
      if (m.up && &*m.up == &script) {
        found = true;
        break;
      }
      if (m.up) replay_until(*m.up, nullptr);
      if (m.down && &*m.down == &script) {
        found = true;
        break;
      }
    }
  }
  if (!found) history = ColumnHistory{};  // a script outside the set: only its own statements count
  replay_until(script, &st);
  return history.find(table, column);
}

std::optional<double> parse_duration_ms(std::string_view v) {
  while (!v.empty() && std::isspace(static_cast<unsigned char>(v.front())))
    v.remove_prefix(1);
  while (!v.empty() && std::isspace(static_cast<unsigned char>(v.back())))
    v.remove_suffix(1);
  std::size_t i = 0;
  while (i < v.size() && (std::isdigit(static_cast<unsigned char>(v[i])) || v[i] == '.'))
    ++i;
  if (i == 0) return std::nullopt;
  double number = 0;
  try {
    number = std::stod(std::string(v.substr(0, i)));
  } catch (...) {
    return std::nullopt;
  }
  std::string_view unit = v.substr(i);
  while (!unit.empty() && unit.front() == ' ')
    unit.remove_prefix(1);
  std::string u(unit);
  std::transform(u.begin(), u.end(), u.begin(), [](unsigned char c) { return std::tolower(c); });
  static const std::map<std::string, double, std::less<>> kUnits = {
      {"", 1.0},        {"us", 0.001},    {"ms", 1.0},       {"s", 1000.0},
      {"min", 60000.0}, {"h", 3600000.0}, {"d", 86400000.0},
  };
  auto it = kUnits.find(u);
  if (it == kUnits.end()) return std::nullopt;
  return number * it->second;
}

std::string format_duration_ms(double ms) {
  struct Unit {
    double size;
    const char* name;
  };
  for (Unit u : {Unit{86400000.0, "d"}, Unit{3600000.0, "h"}, Unit{60000.0, "min"}, Unit{1000.0, "s"}}) {
    double n = ms / u.size;
    if (n >= 1 && std::floor(n) == n) return std::to_string(static_cast<long long>(n)) + u.name;
  }
  if (std::floor(ms) == ms) return std::to_string(static_cast<long long>(ms)) + "ms";
  return std::to_string(static_cast<long long>(std::llround(ms * 1000))) + "us";
}

namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

// An A_Const as the text PostgreSQL would give the setting.
std::optional<std::string> const_text(sql::Node n) {
  if (n.tag() != "A_Const") return std::nullopt;
  sql::Node c = n.body();
  if (c["sval"]) return std::string(c["sval"]["sval"].str());
  if (c["ival"]) return std::to_string(c["ival"]["ival"].integer(0));  // libpg_query omits a zero ival
  if (c["fval"]) return std::string(c["fval"]["fval"].str());
  return std::nullopt;
}

}  // namespace

SettingTracker::SettingTracker(const Context& ctx, std::string name) : name_(std::move(name)) {
  for (const auto& [k, v] : ctx.session_settings) {
    if (iequals(k, name_)) session_default_ = v;
  }
  session_ = session_default_;
}

std::optional<std::string> SettingTracker::value(const sql::Statement& st) const {
  if (local_ && st.transaction >= 0 && st.transaction == local_transaction_) return local_;
  return session_;
}

void SettingTracker::apply(const sql::Statement& st) {
  if (local_ && st.transaction != local_transaction_) local_.reset();  // its transaction ended
  auto set = [&](std::optional<std::string> v, bool local) {
    if (local) {
      // SET LOCAL outside a transaction block only warns and changes nothing.
      if (st.transaction < 0) return;
      local_ = std::move(v);
      local_transaction_ = st.transaction;
      if (!local_) local_ = session_ ? session_ : std::optional<std::string>{std::string()};
    } else {
      session_ = std::move(v);
      local_.reset();  // SET overrides an earlier SET LOCAL for the rest of the transaction
    }
  };
  if (st.tag() == "VariableSetStmt") {
    sql::Node s = st.body();
    std::string_view kind = s["kind"].str();
    if (kind == "VAR_RESET_ALL") {
      set(session_default_, false);
      return;
    }
    if (!iequals(s["name"].str(), name_)) return;
    bool local = s["is_local"].boolean();
    if (kind == "VAR_SET_VALUE") {
      set(const_text(s["args"].at(0)), local);
    } else if (kind == "VAR_SET_DEFAULT" || kind == "VAR_RESET") {
      set(session_default_, local);
    }
    return;
  }
  if (st.tag() != "SelectStmt") return;
  sql::walk(st.ast, [&](std::string_view tag, sql::Node body) {
    if (tag != "FuncCall") return;
    sql::Node names = body["funcname"];
    if (names.size() == 0 || sql::string_value(names.at(names.size() - 1)) != "set_config") return;
    sql::Node args = body["args"];
    std::optional<std::string> which = const_text(args.at(0));
    if (!which || !iequals(*which, name_)) return;
    sql::Node local = args.at(2);
    bool is_local = local.tag() == "A_Const" && local.body()["boolval"]["boolval"].boolean();
    set(const_text(args.at(1)), is_local);
  });
}

}  // namespace schemagate::gates::columns
