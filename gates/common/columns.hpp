// Helpers for gates about columns, rewrites and timeouts: column definitions in
// ALTER TABLE, column types and whether a type change rewrites, the history of a
// column over the whole migration set, and session settings (lock_timeout,
// statement_timeout) as a script changes them.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gates/context.hpp"
#include "gates/sql/migration.hpp"
#include "gates/sql/types.hpp"

namespace schemagate::gates::columns {

using sql::column_type;
using sql::column_type_sql;
using sql::SqlType;
using sql::type_change_keeps_table;

// lock_phrase with its article: "an ACCESS EXCLUSIVE lock on orders", "a SHARE lock on orders".
std::string a_lock_phrase(sql::LockMode mode, const sql::RelationName& r);

// A constraint of a ColumnDef, by contype ("CONSTR_DEFAULT"): its body, or missing.
sql::Node column_constraint(sql::Node coldef, std::string_view contype);
// A DEFAULT clause that is more than DEFAULT NULL.
sql::Node column_default(sql::Node coldef);

// Calls fn(cmd) for every subcommand (AlterTableCmd body) of `subtype`, and its
// ALTER TABLE's relation, when `st` is an ALTER TABLE on a table.
void for_each_alter_cmd(const sql::Statement& st, std::string_view subtype,
                        const std::function<void(const sql::RelationName&, sql::Node cmd)>& fn);

// Whether the statement's lock on `table` is on a table created earlier in the
// same script (or takes no lock on it at all).
bool table_is_new(const sql::Statement& st, const sql::RelationName& table);

// The type of `table`.`column` just before `st` runs, replaying the migration set in
// version order (CREATE TABLE, ADD COLUMN, ALTER COLUMN TYPE, renames, drops). Down
// scripts see every up migration up to their own. nullopt when no earlier
// statement defines the column.
std::optional<SqlType> column_type_before(const Context& ctx, const sql::Script& script,
                                          const sql::Statement& st, const sql::RelationName& table,
                                          std::string_view column);

// A duration setting ("5s", "1min", 250) in milliseconds; nullopt when it is not a
// duration (DEFAULT, garbage). Units as PostgreSQL's: us, ms, s, min, h, d; ms when none.
std::optional<double> parse_duration_ms(std::string_view value);
// "250ms", "5s", "2min", "1h": the shortest exact spelling.
std::string format_duration_ms(double ms);

// The value of a setting as a script sees it, statement by statement: the session
// value (PGOPTIONS), then SET / SET LOCAL / RESET / set_config() in the script.
// SET LOCAL lasts until the end of its transaction block.
class SettingTracker {
 public:
  SettingTracker(const Context& ctx, std::string name);
  // Applies `st` (call for every statement, in order) after the value it runs with
  // has been read with value().
  void apply(const sql::Statement& st);
  // The value in force for `st` (call before apply(st)); nullopt when unset.
  std::optional<std::string> value(const sql::Statement& st) const;

 private:
  std::string name_;
  std::optional<std::string> session_default_;
  std::optional<std::string> session_;
  std::optional<std::string> local_;
  int local_transaction_ = -1;
};

}  // namespace schemagate::gates::columns
