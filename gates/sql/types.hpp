// Column types as the SQL writes them, and whether changing one into another keeps
// the table (binary coercible: no rewrite). Shared by the schema history, which decides
// a statement's rewrite fact, and the gates that explain it.
#pragma once

#include <string>
#include <vector>

#include "gates/sql/json_tree.hpp"

namespace schemagate::sql {

// A column type as written: "varchar" with mods {255}; pg_catalog names ("int4").
struct SqlType {
  std::string name;
  std::vector<long long> mods;
  bool array = false;
  bool operator==(const SqlType&) const = default;
};
SqlType column_type(Node type_name_node);
// The type as a person writes it in SQL: "integer", "varchar(255)", "numeric(10,2)[]".
std::string column_type_sql(const SqlType& t);

// Whether ALTER COLUMN TYPE from `from` to `to` (no USING) is binary coercible and
// keeps the table as it is (PostgreSQL docs, ALTER TABLE, Notes). `utc_session`:
// the session TimeZone is UTC, which makes timestamp -> timestamptz free on
// PostgreSQL 12 and later.
bool type_change_keeps_table(const SqlType& from, const SqlType& to, int pg_major, bool utc_session);

}  // namespace schemagate::sql
