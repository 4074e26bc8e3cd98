// Helpers for the constraint, index and transaction gates (helper A): what an ALTER
// TABLE adds, PostgreSQL's default constraint names, and the transaction blocks of a
// script. Not a gate family (the registry check skips common/).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "gates/context.hpp"
#include "gates/sql/migration.hpp"

namespace schemagate::gates {

// The AlterTableCmd bodies of an ALTER TABLE statement (empty for anything else).
std::vector<sql::Node> alter_table_commands(const sql::Statement& st);
// The table an ALTER TABLE statement alters.
sql::RelationName alter_table_relation(const sql::Statement& st);

// The statement's lock on `r` when `r` existed before the script (nullptr when the
// statement does not lock it, or the script created it: no one uses it yet).
const sql::RelationLock* existing_lock(const sql::Statement& st, const sql::RelationName& r);

// A constraint an ALTER TABLE adds: ADD CONSTRAINT, or a column constraint of ADD COLUMN.
struct AddedConstraint {
  sql::Node def;                     // the Constraint body
  std::string_view contype;          // "CONSTR_FOREIGN", "CONSTR_CHECK", ...
  std::string name;                  // as written, or the name PostgreSQL would generate
  bool named = false;                // the SQL gives the name
  bool not_valid = false;            // NOT VALID
  bool using_index = false;          // UNIQUE / PRIMARY KEY USING INDEX
  std::string column;                // ADD COLUMN: the new column ("" for ADD CONSTRAINT)
  std::vector<std::string> columns;  // the constrained columns (FK, UNIQUE, PK; CHECK: those referenced)
};
std::vector<AddedConstraint> added_constraints(const sql::Statement& st);

// PostgreSQL's generated constraint name (ChooseConstraintName): <table>_<cols>_<suffix>,
// truncated to 63 bytes; suffix "fkey", "check", "key", "pkey" or "excl".
std::string default_constraint_name(std::string_view table, const std::vector<std::string>& columns,
                                    std::string_view suffix);

// The column of a CHECK constraint of the form (column IS NOT NULL), else "".
std::string not_null_check_column(sql::Node constraint_body);

// Column names referenced by an expression, in order of first appearance.
std::vector<std::string> referenced_columns(sql::Node expr);

// "file:line" of a statement, for naming another location in a message.
std::string statement_place(const sql::Script& script, const sql::Statement& st);

// Transaction control (BEGIN, COMMIT, ROLLBACK, SAVEPOINT ...).
bool is_transaction_control(const sql::Statement& st);

// The migration a script belongs to (nullptr when not found).
const sql::Migration* migration_of(const Context& ctx, const sql::Script& script);

// The table of an index created by a CREATE INDEX anywhere in the migration set
// (empty when the set does not create it: DROP/REINDEX INDEX do not name the table).
sql::RelationName table_of_index(const Context& ctx, const sql::RelationName& index);

// "an ACCESS EXCLUSIVE lock", "a SHARE lock".
std::string a_lock(sql::LockMode m);

// "name1, name2" joined for messages, each quoted where needed.
std::string join_idents(const std::vector<std::string>& names);

}  // namespace schemagate::gates
