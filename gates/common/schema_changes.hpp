// What a migration script does to the schema, as the rollback gates need it: the
// objects it creates and drops, columns and constraints it adds or drops, renames,
// NOT NULL / DEFAULT / row level security switches. Not a gate (no .md): shared by
// the rollback.* gates.
#pragma once

#include <string>
#include <vector>

#include "gates/sql/migration.hpp"

namespace schemagate::gates::rollback {

enum class ObjectKind : std::uint8_t {
  kTable,
  kIndex,
  kView,
  kMaterializedView,
  kSequence,
  kType,
  kFunction,
  kSchema,
  kTrigger,
  kPolicy,
};
// "table", "index", "materialized view", ...
std::string_view object_kind_name(ObjectKind k);

struct Change {
  enum class Kind : std::uint8_t {
    kCreate,          // object (kind, name; table for index/trigger/policy)
    kDrop,            // object dropped (kind, name, table; cascade)
    kAddColumn,       // table.column
    kDropColumn,      // table.column
    kAddConstraint,   // table, name, columns
    kDropConstraint,  // table, name
    kRename,          // relation (kind) name -> new_name
    kRenameColumn,    // table.column -> new_name
    kSetNotNull,
    kDropNotNull,
    kSetDefault,
    kDropDefault,
    kEnableRls,
    kDisableRls,
  };
  Kind kind = Kind::kCreate;
  ObjectKind object = ObjectKind::kTable;
  sql::RelationName name;   // the object (functions, types and schemas: their name)
  sql::RelationName table;  // the table an index/trigger/policy/column/constraint belongs to
  std::string column;
  std::string new_name;              // renames
  std::vector<std::string> columns;  // constraint columns; views: tables the query reads
  bool cascade = false;
  bool replace = false;  // CREATE OR REPLACE: may redefine an object that existed before
  const sql::Statement* statement = nullptr;
};

// Every change of a script, in statement order.
std::vector<Change> script_changes(const sql::Script& script);

using sql::make_object_name;

// How the user knows the down of a migration: the down file, the goose Down
// section, or the Go function that goose runs.
std::string down_display(const sql::Migration& m);
// The file name of a path (for messages that name a sibling file).
std::string file_base(const std::string& path);

}  // namespace schemagate::gates::rollback
