#include "gates/sql/ast.hpp"

#include <array>
#include <cctype>

namespace schemagate::sql {

std::string_view string_value(Node n) {
  if (n.tag() == "String") return n.body()["sval"].str();
  return n["sval"].str();
}

RelationName range_var(Node n) {
  if (n.tag() == "RangeVar") n = n.body();
  return RelationName{std::string(n["schemaname"].str()), std::string(n["relname"].str())};
}

RelationName qualified_name(Node list) {
  std::size_t count = list.size();
  RelationName r;
  if (count == 0) return r;
  r.name = std::string(string_value(list.at(count - 1)));
  if (count >= 2) r.schema = std::string(string_value(list.at(count - 2)));
  return r;
}

std::string join_names(Node list) {
  std::string out;
  for (Node part : list) {
    if (!out.empty()) out += '.';
    out += string_value(part);
  }
  return out;
}

std::vector<std::string> string_list(Node list) {
  std::vector<std::string> out;
  for (Node n : list)
    out.emplace_back(string_value(n));
  return out;
}

std::string join_underscore(const std::vector<std::string>& parts) {
  std::string out;
  for (const std::string& p : parts) {
    if (!out.empty()) out += '_';
    out += p;
  }
  return out;
}

std::string type_name(Node t) {
  Node names = t["names"];
  std::size_t count = names.size();
  if (count == 0) return {};
  std::string_view first = string_value(names.at(0));
  if (count >= 2 && first == "pg_catalog") return std::string(string_value(names.at(count - 1)));
  return join_names(names);
}

std::vector<long long> type_mods(Node t) {
  std::vector<long long> mods;
  for (Node m : t["typmods"]) {
    Node c = m.tag() == "A_Const" ? m.body() : Node{};
    if (c) mods.push_back(c["ival"]["ival"].integer(0));
  }
  return mods;
}

bool type_is_array(Node t) {
  return t["arrayBounds"].size() > 0;
}

// defGetBoolean (commands/define.c): no value means true; the integers 0 and 1;
// the words true, false, on and off in any case. libpg_query leaves out an Integer's
// ival when it is 0, and the grammar passes TRUE / FALSE / ON on as String nodes.
static bool def_elem_arg_boolean(Node arg) {
  if (arg.missing()) return true;
  std::string_view tag = arg.tag();
  if (tag == "Integer") return arg.body()["ival"].integer(0) != 0;
  if (tag == "Boolean") return arg.body()["boolval"].boolean();
  std::string_view word = string_value(arg);
  auto is = [word](std::string_view lower) {
    if (word.size() != lower.size()) return false;
    for (std::size_t i = 0; i < word.size(); ++i) {
      if (std::tolower(static_cast<unsigned char>(word[i])) != lower[i]) return false;
    }
    return true;
  };
  return !is("false") && !is("off");
}

bool option_enabled(Node list, std::string_view name) {
  bool on = false;
  for (Node d : list) {
    if (d.tag() == "DefElem" && d.body()["defname"].str() == name) on = def_elem_arg_boolean(d.body()["arg"]);
  }
  return on;
}

Node select_into(Node s) {
  // A set operation keeps its operands in larg / rarg (bare SelectStmt fields).
  for (int depth = 0; depth < 2000 && s["op"].str() != "SETOP_NONE" && s["larg"]; ++depth)
    s = s["larg"];
  return s["intoClause"];
}

constexpr std::size_t kMaxIdentifierBytes = 63;  // NAMEDATALEN - 1

static void walk_impl(Node n, const std::function<void(std::string_view, Node)>& fn, int depth) {
  if (depth > 2000) return;  // parse trees this deep do not come from real migrations
  if (n.is_array()) {
    for (Node c : n)
      walk_impl(c, fn, depth + 1);
    return;
  }
  if (!n.is_object()) return;
  std::string_view tag = n.tag();
  if (!tag.empty() && std::isupper(static_cast<unsigned char>(tag[0])) && n.body().is_object()) {
    fn(tag, n.body());
    n = n.body();
  }
  for (const JsonMember* m = n.members_begin(); m != n.members_end(); ++m) {
    Node child(&m->value);
    if (child.is_object() || child.is_array()) walk_impl(child, fn, depth + 1);
  }
}

std::string make_object_name(const std::string& name1, const std::string& name2, const std::string& label) {
  std::size_t overhead = (label.empty() ? 0 : label.size() + 1) + (name2.empty() ? 0 : 1);
  std::size_t avail = kMaxIdentifierBytes > overhead ? kMaxIdentifierBytes - overhead : 0;
  std::size_t n1 = name1.size();
  std::size_t n2 = name2.size();
  while (n1 + n2 > avail) {
    if (n1 > n2) {
      --n1;
    } else {
      --n2;
    }
  }
  std::string out = name1.substr(0, n1);
  if (!name2.empty()) {
    out += '_';
    out.append(name2, 0, n2);
  }
  if (!label.empty()) {
    out += '_';
    out += label;
  }
  return out;
}

void walk(Node n, const std::function<void(std::string_view, Node)>& fn) {
  walk_impl(n, fn, 0);
}

namespace {

// Functions PostgreSQL marks immutable or stable that people use in defaults.
// Anything else is treated as volatile: CREATE FUNCTION's default is VOLATILE, so
// an unknown user function would force a rewrite when used as a column default.
constexpr std::array kNonVolatileFunctions = {"now",
                                              "statement_timestamp",
                                              "transaction_timestamp",
                                              "current_setting",
                                              "current_database",
                                              "current_schema",
                                              "current_user",
                                              "session_user",
                                              "lower",
                                              "upper",
                                              "btrim",
                                              "trim",
                                              "length",
                                              "concat",
                                              "concat_ws",
                                              "format",
                                              "to_char",
                                              "to_timestamp",
                                              "to_date",
                                              "date_trunc",
                                              "make_interval",
                                              "make_date",
                                              "make_timestamp",
                                              "make_timestamptz",
                                              "jsonb_build_object",
                                              "jsonb_build_array",
                                              "json_build_object",
                                              "json_build_array",
                                              "array_fill",
                                              "to_jsonb",
                                              "to_json",
                                              "abs",
                                              "round",
                                              "floor",
                                              "ceil",
                                              "md5",
                                              "replace",
                                              "substring",
                                              "substr",
                                              "left",
                                              "right",
                                              "coalesce",
                                              "greatest",
                                              "least",
                                              "timezone",
                                              "int4",
                                              "int8",
                                              "text",
                                              "numeric",
                                              "jsonb",
                                              "uuid",
                                              "inet",
                                              "array_remove",
                                              "array_append",
                                              "daterange",
                                              "tstzrange",
                                              "tsrange",
                                              "int4range",
                                              "int8range",
                                              "numrange",
                                              "to_tsvector",
                                              "localtimestamp",
                                              "current_timestamp",
                                              "current_date",
                                              "pg_catalog.now"};

bool function_is_non_volatile(std::string_view name) {
  for (const char* f : kNonVolatileFunctions) {
    if (name == f) return true;
  }
  return false;
}

}  // namespace

Volatility expression_volatility(Node expr, std::string* function) {
  Volatility worst = Volatility::kImmutable;
  walk(expr, [&](std::string_view tag, Node body) {
    if (worst == Volatility::kVolatile) return;
    if (tag == "FuncCall") {
      Node names = body["funcname"];
      std::string_view last = string_value(names.at(names.size() ? names.size() - 1 : 0));
      if (function_is_non_volatile(last)) {
        worst = Volatility::kStable;
      } else {
        worst = Volatility::kVolatile;
        if (function) *function = std::string(last);
      }
    } else if (tag == "SQLValueFunction") {
      worst = Volatility::kStable;  // CURRENT_TIMESTAMP, CURRENT_USER, ...: stable
    } else if (tag == "SubLink") {
      worst = Volatility::kVolatile;  // not allowed in defaults anyway
      if (function) *function = "subquery";
    }
  });
  return worst;
}

}  // namespace schemagate::sql
