// The SQL a DO block runs. A DO block executes its PL/pgSQL body at once, in one
// transaction, so the statements in it take their locks like any other statement of
// the migration: idempotent migrations wrap ALTER TABLE in `DO $$ BEGIN IF NOT EXISTS
// (...) THEN ... END IF; END $$` all the time. The body is parsed with PostgreSQL's own
// PL/pgSQL parser (libpg_query); every static SQL statement in it, and every EXECUTE of
// a constant string, is located in the source so that gates see it with its true
// line and column. SQL computed at run time is listed as dynamic: no gate can read it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "gates/sql/json_tree.hpp"

namespace schemagate::sql {

// SQL a DO block runs that cannot be read before it runs.
struct DynamicSql {
  std::uint32_t offset = 0;  // source offset of the PL/pgSQL statement (EXECUTE ...), or the body
  std::string why;           // "EXECUTE runs a string built at run time"
  int statement = -1;        // index of the DO statement in its script (set by the script builder)
};

struct DoBlockSql {
  // [begin, end) source offsets of each SQL statement the body runs, in body order.
  std::vector<std::pair<std::uint32_t, std::uint32_t>> statements;
  std::vector<DynamicSql> dynamic;
  std::string syntax_error;  // a grammar error PostgreSQL reports too (at the body's start)
  std::uint32_t syntax_error_offset = 0;
};

// The SQL of the DO statement `ast` ({"DoStmt": {...}}) whose parse-tree locations
// count from `node_base` in `text`. A body that is not PL/pgSQL, cannot be located
// in the text (a quoted string with escapes), or does not parse is reported as one
// DynamicSql at the body, unless the parser's complaint is a syntax error, which
// PostgreSQL makes too (then `syntax_error`). Never throws.
DoBlockSql do_block_sql(std::string_view text, std::uint32_t node_base, Node ast);

// A CREATE FUNCTION / PROCEDURE ... LANGUAGE plpgsql statement's text: PostgreSQL
// compiles the body when the statement runs (check_function_bodies, on by default)
// and rejects grammar errors in it, in its SQL statements too. Returns the message of
// such an error ("PL/pgSQL: syntax error at or near ..."), or empty. Errors that come
// from libpg_query having no catalog are not reported: PostgreSQL would judge them.
std::string plpgsql_function_syntax_error(std::string_view create_function_sql);

}  // namespace schemagate::sql
