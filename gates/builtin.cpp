// The one list of built-in gates: one line per gate (STYLE.md). Order is the order
// `schemagate gates` lists them; the engine's output order does not depend on it.
#include "gates/job/require_migration_sql.hpp"
#include "gates/lint/require_concurrent_index.hpp"
#include "gates/lint/sql_syntax_error.hpp"
#include "gates/lint/unused_suppression.hpp"
#include "gates/lint/ban_domain_constraint.hpp"
#include "gates/lint/ban_exclusion_constraint.hpp"
#include "gates/lint/ban_long_exclusive_lock.hpp"
#include "gates/lint/ban_set_not_null.hpp"
#include "gates/lint/deadlock_lock_order.hpp"
#include "gates/lint/non_transactional_in_transaction.hpp"
#include "gates/lint/require_concurrent_detach.hpp"
#include "gates/lint/require_concurrent_index_drop.hpp"
#include "gates/lint/require_concurrent_reindex.hpp"
#include "gates/lint/require_not_valid_check.hpp"
#include "gates/lint/require_not_valid_foreign_key.hpp"
#include "gates/lint/require_unique_using_index.hpp"
#include "gates/lint/validate_in_same_transaction.hpp"
#include "gates/registry.hpp"

namespace schemagate::gates {

void register_builtin_gates(Registry& r) {
  // lint: SQL lock and downtime safety
  r.add(std::make_unique<lint::SqlSyntaxError>());
  r.add(std::make_unique<lint::RequireConcurrentIndex>());
  r.add(std::make_unique<lint::UnusedSuppression>());

  // lint: indexes and constraints (helper A)
  r.add(std::make_unique<lint::RequireConcurrentIndexDrop>());
  r.add(std::make_unique<lint::RequireConcurrentReindex>());
  r.add(std::make_unique<lint::NonTransactionalInTransaction>());
  r.add(std::make_unique<lint::RequireNotValidForeignKey>());
  r.add(std::make_unique<lint::RequireNotValidCheck>());
  r.add(std::make_unique<lint::ValidateInSameTransaction>());
  r.add(std::make_unique<lint::BanSetNotNull>());
  r.add(std::make_unique<lint::RequireUniqueUsingIndex>());
  r.add(std::make_unique<lint::BanExclusionConstraint>());
  r.add(std::make_unique<lint::BanDomainConstraint>());
  r.add(std::make_unique<lint::RequireConcurrentDetach>());
  r.add(std::make_unique<lint::BanLongExclusiveLock>());
  r.add(std::make_unique<lint::DeadlockLockOrder>());

  // job: the migration Job itself
  r.add(std::make_unique<job::RequireMigrationSql>());
}

}  // namespace schemagate::gates
