// Small helpers over libpg_query's parse tree (PostgreSQL 15 node names).
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "gates/sql/json_tree.hpp"

namespace schemagate::sql {

// A possibly schema-qualified relation name as written in the SQL.
struct RelationName {
  std::string schema;  // empty when unqualified
  std::string name;

  std::string display() const { return schema.empty() ? name : schema + "." + name; }
  bool empty() const { return name.empty(); }
  // Same relation as far as the SQL can tell: names equal and schemas equal, or one
  // side unqualified (resolved through search_path, which we cannot see).
  bool matches(const RelationName& other) const {
    return name == other.name && (schema.empty() || other.schema.empty() || schema == other.schema);
  }
  bool operator==(const RelationName&) const = default;
};

// RangeVar, wrapped ({"RangeVar": {...}}) or bare.
RelationName range_var(Node n);
// A list of String nodes (["public","orders"]) as a relation name (last two parts).
RelationName qualified_name(Node list);
// A list of String nodes joined with '.'.
std::string join_names(Node list);
// A list of String nodes as strings (a constraint's columns).
std::vector<std::string> string_list(Node list);
// Names joined with '_', as PostgreSQL joins column names in a generated object name.
std::string join_underscore(const std::vector<std::string>& parts);
// {"String":{"sval":"x"}} -> "x"; also bare {"sval":..}.
std::string_view string_value(Node n);
// The type name of a TypeName node, without the pg_catalog prefix: "int4", "varchar".
std::string type_name(Node type_name_node);
// The type's modifiers as integers ([255] for varchar(255)); empty when absent.
std::vector<long long> type_mods(Node type_name_node);
// True when the TypeName has array bounds.
bool type_is_array(Node type_name_node);
// A boolean option of a DefElem list (VACUUM (FULL), REINDEX (CONCURRENTLY), EXPLAIN
// (ANALYZE)), read as PostgreSQL's defGetBoolean reads it: named without a value, or
// with true / on / 1, it is on; false / off / 0 turn it off; not named, it is off.
// When named twice the last one counts (ExecVacuum, ExecReindex and ExplainQuery
// loop over the list and keep the last value). A value PostgreSQL rejects ("full
// requires a Boolean value") counts as on: the statement fails either way.
bool option_enabled(Node list, std::string_view name);
// The INTO clause of SELECT ... INTO (bare IntoClause fields: "rel", ...), or missing.
// In a UNION / INTERSECT / EXCEPT PostgreSQL takes it from the leftmost SELECT only
// (transformOptionalSelectInto in analyze.c); INTO elsewhere is an error.
Node select_into(Node select_stmt_body);

// PostgreSQL's makeObjectName(): name1_name2_label within 63 bytes, shortening the
// longer of the two names first (src/backend/commands/indexcmds.c). How it names a
// constraint or index the SQL leaves unnamed: orders_pkey, orders_customer_id_fkey.
std::string make_object_name(const std::string& name1, const std::string& name2, const std::string& label);

// Calls fn(tag, body) for every wrapped node in the subtree, depth first.
void walk(Node n, const std::function<void(std::string_view tag, Node body)>& fn);

// Volatility of an expression as PostgreSQL would judge a column default.
enum class Volatility { kImmutable, kStable, kVolatile };
// `function` receives the name of the first volatile (or unknown) function found.
Volatility expression_volatility(Node expr, std::string* function = nullptr);

}  // namespace schemagate::sql
