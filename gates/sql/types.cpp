#include "gates/sql/types.hpp"

#include <map>
#include <utility>

#include "gates/sql/ast.hpp"

namespace schemagate::sql {

SqlType column_type(Node type_name_node) {
  return SqlType{type_name(type_name_node), type_mods(type_name_node), type_is_array(type_name_node)};
}

std::string column_type_sql(const SqlType& t) {
  // pg_catalog's internal names, as people write them.
  static const std::map<std::string, std::string, std::less<>> kSpelling = {
      {"int2", "smallint"},           {"int4", "integer"}, {"int8", "bigint"}, {"float4", "real"},
      {"float8", "double precision"}, {"bool", "boolean"}, {"bpchar", "char"}, {"varbit", "bit varying"},
  };
  auto it = kSpelling.find(t.name);
  std::string out = it == kSpelling.end() ? t.name : it->second;
  // interval's typmod encodes fields, not a number a person wrote.
  if (!t.mods.empty() && t.name != "interval") {
    out += '(';
    for (std::size_t i = 0; i < t.mods.size(); ++i) {
      if (i) out += ',';
      out += std::to_string(t.mods[i]);
    }
    out += ')';
  }
  if (t.array) out += "[]";
  return out;
}

namespace {

bool is_varchar(const SqlType& t) {
  return t.name == "varchar";
}

// numeric(p) is numeric(p,0); numeric without mods is unconstrained.
std::pair<long long, long long> numeric_mods(const SqlType& t) {
  return {t.mods.at(0), t.mods.size() >= 2 ? t.mods[1] : 0};
}

}  // namespace

bool type_change_keeps_table(const SqlType& from, const SqlType& to, int pg_major, bool utc_session) {
  if (from == to) return true;  // no change at all
  // Arrays of a coercible element type are still converted element by element;
  // only an unchanged array type is known to be free.
  if (from.array || to.array) return false;
  // PostgreSQL docs, ALTER TABLE, Notes: "changing the type of an existing column
  // will normally cause the entire table and its indexes to be rewritten", except
  // when the old type is binary coercible to the new one and the new typmod does
  // not constrain it further.
  if (is_varchar(from) || from.name == "text") {
    if (to.name == "text") return true;
    if (is_varchar(to) && to.mods.empty()) return true;
    if (is_varchar(from) && is_varchar(to) && !from.mods.empty() && !to.mods.empty())
      return to.mods[0] >= from.mods[0];
    return false;
  }
  if (from.name == "numeric" && to.name == "numeric") {
    if (to.mods.empty()) return true;
    if (from.mods.empty()) return false;
    auto [p, s] = numeric_mods(from);
    auto [p2, s2] = numeric_mods(to);
    return s2 == s && p2 >= p;
  }
  if (from.name == "varbit" && to.name == "varbit") {
    if (to.mods.empty()) return true;
    return !from.mods.empty() && to.mods[0] >= from.mods[0];
  }
  if (from.name == "cidr" && to.name == "inet") return true;
  // Since PostgreSQL 12, timestamp -> timestamptz skips the rewrite when the session
  // time zone is UTC (release notes 12, "ALTER TABLE ... SET DATA TYPE").
  if (from.name == "timestamp" && to.name == "timestamptz")
    return pg_major >= 12 && utc_session && from.mods == to.mods;
  return false;
}

}  // namespace schemagate::sql
