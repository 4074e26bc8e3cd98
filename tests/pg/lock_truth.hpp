// Lock truth: what a real PostgreSQL 15 locks for one statement, compared with
// what sql::analyze_statement says (ARCHITECTURE.md §4, issue 2 §3).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gates/sql/statement.hpp"
#include "pg/pg_server.hpp"

namespace schemagate::pgtest {

// A fixture relation PostgreSQL locks above ACCESS SHARE that the model does not
// report, with why the model cannot know it from the SQL. Every entry must be
// observed: an allowance that no longer happens is an error, so the list stays short.
struct Unreported {
  std::string relation;
  sql::LockMode mode;
  std::string_view why;
  // With the fixture as the migrations' history the model knows it (sql::Catalog):
  // then it must be reported, not allow-listed.
  bool history_knows = false;
};

// How the model's `rewrite` relates to whether PostgreSQL gave the table a new
// relfilenode.
enum class RewriteExpectation {
  kExact,              // rewrite <=> new relfilenode
  kModelConservative,  // model says rewrite, PostgreSQL does not: depends on the old column type
  kNewFileNoRewrite,   // new relfilenode without copying rows (TRUNCATE): not a rewrite
};

struct LockCase {
  std::string sql;
  std::vector<Unreported> unreported = {};
  RewriteExpectation rewrite = RewriteExpectation::kExact;
  // Statements that cannot run in a transaction block: a lock another session
  // holds so that this one blocks at its strongest lock, and SQL to undo it.
  std::string blocker = {};
  std::string cleanup = {};
  // `rewrite` when the fixture is the migrations' history, if it differs (with_history).
  std::optional<RewriteExpectation> rewrite_after_fixture = {};
};

// One relation of the database as the statement finds it.
struct RelationInfo {
  std::string name;
  std::string schema;
  char relkind = '?';
  std::string filenode;
  std::string table_oid;  // for indexes: the table's oid
};

// What PostgreSQL did for one statement.
struct Observation {
  std::map<std::string, RelationInfo> before;           // by oid, user relations
  std::map<std::string, std::string> after;             // oid -> relfilenode
  std::map<std::string, RelationInfo> after_relations;  // by oid, user relations after the statement
  std::map<std::string, sql::LockMode> locks;           // oid -> strongest mode held or awaited
  std::string tag;                                      // the command tag, row counts dropped
  std::string error;                                    // when the statement could not be observed
};

// The fixture schema: tables with PK and FK, indexes, a partitioned table, a view,
// a materialized view, a sequence, a domain, an enum, a trigger function.
std::string_view fixture_sql();

// The shared server with the fixture loaded (started on first use, stopped at exit).
// Throws with a clear message when PostgreSQL 15 is missing.
const PgServer& fixture_server();

// Runs each transactional case as BEGIN; stmt; <pg_locks>; ROLLBACK in one psql.
std::vector<Observation> observe_in_transaction(const PgServer& pg, const std::vector<LockCase>& cases);

// Runs a statement that cannot run in a transaction: session A holds `blocker`,
// session B runs the statement and blocks; B's locks (granted or awaited) are read
// from pg_locks, then A is ended, B completes, and `cleanup` runs.
Observation observe_outside_transaction(const PgServer& pg, const LockCase& c);

// The model's facts for a one-statement text (parse errors are reported as kind "").
sql::StatementFacts model_facts(const std::string& sql, std::string& error);
// The same, for a statement that follows the fixture in the migration set: the schema
// history (sql::Catalog) adds the relations the fixture shows it locks.
sql::StatementFacts model_facts_after_fixture(const std::string& sql, std::string& error);
// `c` as it must hold when the fixture is history: the allowances the catalog resolves
// are dropped (the model must now report them), and a conservative rewrite is exact.
LockCase with_history(const LockCase& c);

// Compares model and observation (locks, command tag, rewrite, created relations);
// returns the problems, one per line ("" = agree).
std::string compare(const LockCase& c, const sql::StatementFacts& facts, const Observation& obs);

}  // namespace schemagate::pgtest
