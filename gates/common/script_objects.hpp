// What a script has created before a given statement, for gates that exempt new
// objects (a table created in this migration has no data and no readers yet).
//
// Why not RelationLock::is_new alone: the lock model counts the target of
// ALTER TABLE ... RENAME TO as created, so `ALTER TABLE orders RENAME TO old_orders;
// DROP TABLE old_orders;` would look like dropping a new table. Here only CREATE
// TABLE, CREATE TABLE AS and SELECT ... INTO create a table, and a rename or SET
// SCHEMA carries newness over only from a table that was itself new.
#pragma once

#include <string_view>

#include "gates/sql/migration.hpp"

namespace schemagate::gates::objects {

// True when `table` was created earlier in `script` than `st` (and not dropped since).
bool table_created_earlier(const sql::Script& script, const sql::Statement& st,
                           const sql::RelationName& table);

// True when schema `name` was created (CREATE SCHEMA) earlier in `script` than `st`.
bool schema_created_earlier(const sql::Script& script, const sql::Statement& st, std::string_view name);

// The byte offset in the script's source of a parse-tree `location` inside `st`, or
// the statement's first token when the location is absent or cannot be placed.
//
// libpg_query locations count from the start of the text it parsed, which is the
// script's region, or (after a syntax error elsewhere) the piece of it holding the
// statement; Statement does not record which, so both are tried and the result must
// fall inside the statement.
std::uint32_t node_offset(const sql::Script& script, const sql::Statement& st, sql::Node located);

}  // namespace schemagate::gates::objects
