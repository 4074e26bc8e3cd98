// The one list of built-in gates: one line per gate (STYLE.md). Order is the order
// `schemagate gates` lists them; the engine's output order does not depend on it.
#include "gates/job/require_migration_sql.hpp"
#include "gates/lint/require_concurrent_index.hpp"
#include "gates/lint/sql_syntax_error.hpp"
#include "gates/lint/unused_suppression.hpp"
#include "gates/registry.hpp"

namespace schemagate::gates {

void register_builtin_gates(Registry& r) {
  // lint: SQL lock and downtime safety
  r.add(std::make_unique<lint::SqlSyntaxError>());
  r.add(std::make_unique<lint::RequireConcurrentIndex>());
  r.add(std::make_unique<lint::UnusedSuppression>());

  // job: the migration Job itself
  r.add(std::make_unique<job::RequireMigrationSql>());
}

}  // namespace schemagate::gates
