// The columns a statement gives a type to: CREATE TABLE columns, ALTER TABLE ...
// ADD COLUMN and ALTER COLUMN ... TYPE. For the gates that prefer one type to another.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "gates/sql/migration.hpp"

namespace schemagate::gates::coltypes {

struct ColumnType {
  enum class Origin : std::uint8_t { kCreateTable, kAddColumn, kAlterType };
  sql::RelationName table;
  std::string column;
  sql::Node type;        // the TypeName fields: type_name(type), type_mods(type)
  sql::Node column_def;  // the ColumnDef fields; its location is the column name
  Origin origin = Origin::kCreateTable;
  bool primary_key = false;  // part of a PRIMARY KEY declared in this statement
  bool foreign_key = false;  // part of a FOREIGN KEY (REFERENCES) declared in this statement
};

void for_each_column_type(const sql::Statement& st, const std::function<void(const ColumnType&)>& fn);

// "orders.customer_id", quoted where needed.
std::string display_column(const ColumnType& c);

}  // namespace schemagate::gates::coltypes
