// The one list of built-in gates: one line per gate (STYLE.md). Order is the order
// `schemagate gates` lists them; the engine's output order does not depend on it.
#include "gates/job/ban_privileged.hpp"
#include "gates/job/require_active_deadline.hpp"
#include "gates/job/require_backoff_limit_zero.hpp"
#include "gates/job/require_image_digest.hpp"
#include "gates/job/require_migration_label.hpp"
#include "gates/job/require_migration_sql.hpp"
#include "gates/job/require_restart_policy_never.hpp"
#include "gates/job/require_timeouts.hpp"
#include "gates/lint/ban_add_generated_column.hpp"
#include "gates/lint/ban_cluster.hpp"
#include "gates/lint/ban_column_type_change.hpp"
#include "gates/lint/ban_domain_constraint.hpp"
#include "gates/lint/ban_exclusion_constraint.hpp"
#include "gates/lint/ban_long_exclusive_lock.hpp"
#include "gates/lint/ban_set_logged.hpp"
#include "gates/lint/ban_set_not_null.hpp"
#include "gates/lint/ban_vacuum_full.hpp"
#include "gates/lint/ban_volatile_default.hpp"
#include "gates/lint/deadlock_lock_order.hpp"
#include "gates/lint/duplicate_migration_version.hpp"
#include "gates/lint/non_transactional_in_transaction.hpp"
#include "gates/lint/require_concurrent_detach.hpp"
#include "gates/lint/require_concurrent_index.hpp"
#include "gates/lint/require_concurrent_index_drop.hpp"
#include "gates/lint/require_concurrent_reindex.hpp"
#include "gates/lint/require_default_for_not_null.hpp"
#include "gates/lint/require_lock_timeout.hpp"
#include "gates/lint/require_not_valid_check.hpp"
#include "gates/lint/require_not_valid_foreign_key.hpp"
#include "gates/lint/require_statement_timeout.hpp"
#include "gates/lint/require_unique_using_index.hpp"
#include "gates/lint/sql_syntax_error.hpp"
#include "gates/lint/unused_suppression.hpp"
#include "gates/lint/validate_in_same_transaction.hpp"
#include "gates/registry.hpp"
#include "gates/tenancy/cross_tenant_foreign_key.hpp"
#include "gates/tenancy/cross_tenant_grant.hpp"
#include "gates/tenancy/cross_tenant_schema.hpp"
#include "gates/tenancy/require_owned_target.hpp"
#include "gates/tenancy/require_row_level_security.hpp"
#include "gates/tenancy/require_tenant_column.hpp"
#include "gates/tenancy/require_tenant_label.hpp"
#include "gates/tenancy/tenant_scoped_keys.hpp"
// concurrency
#include "gates/concurrency/max_concurrent_migrations.hpp"
#include "gates/concurrency/namespace_freeze.hpp"
#include "gates/concurrency/one_migration_per_database.hpp"
// lint: destructive changes, transactions and types (helper C)
#include "gates/lint/ban_drop_column.hpp"
#include "gates/lint/ban_drop_database.hpp"
#include "gates/lint/ban_drop_schema.hpp"
#include "gates/lint/ban_drop_table.hpp"
#include "gates/lint/ban_enum_add_value_in_transaction.hpp"
#include "gates/lint/ban_enum_add_value_unordered.hpp"
#include "gates/lint/ban_nested_transaction.hpp"
#include "gates/lint/ban_rename_column.hpp"
#include "gates/lint/ban_rename_table.hpp"
#include "gates/lint/ban_truncate.hpp"
#include "gates/lint/ban_unbounded_dml.hpp"
#include "gates/lint/ban_uncommitted_transaction.hpp"
#include "gates/lint/max_identifier_length.hpp"
#include "gates/lint/prefer_bigint.hpp"
#include "gates/lint/prefer_identity.hpp"
#include "gates/lint/prefer_jsonb.hpp"
#include "gates/lint/prefer_text.hpp"
#include "gates/lint/prefer_timestamptz.hpp"
// rollback (helper R)
#include "gates/lint/unanalyzable_dynamic_sql.hpp"
#include "gates/lint/unanalyzable_go_sql.hpp"
#include "gates/rollback/down_reverses_up.hpp"
#include "gates/rollback/irreversible_change.hpp"
#include "gates/rollback/require_down_migration.hpp"

namespace schemagate::gates {

void register_builtin_gates(Registry& r) {
  // lint: SQL lock and downtime safety
  r.add(std::make_unique<lint::SqlSyntaxError>());
  r.add(std::make_unique<lint::DuplicateMigrationVersion>());
  r.add(std::make_unique<lint::RequireConcurrentIndex>());
  r.add(std::make_unique<lint::UnusedSuppression>());

  // lint: columns, rewrites and timeouts (helper B)
  r.add(std::make_unique<lint::RequireDefaultForNotNull>());
  r.add(std::make_unique<lint::BanVolatileDefault>());
  r.add(std::make_unique<lint::BanAddGeneratedColumn>());
  r.add(std::make_unique<lint::BanColumnTypeChange>());
  r.add(std::make_unique<lint::BanSetLogged>());
  r.add(std::make_unique<lint::BanVacuumFull>());
  r.add(std::make_unique<lint::BanCluster>());
  r.add(std::make_unique<lint::RequireLockTimeout>());
  r.add(std::make_unique<lint::RequireStatementTimeout>());

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

  // job hygiene (helper J)
  r.add(std::make_unique<job::RequireBackoffLimitZero>());
  r.add(std::make_unique<job::RequireActiveDeadline>());
  r.add(std::make_unique<job::RequireRestartPolicyNever>());
  r.add(std::make_unique<job::RequireImageDigest>());
  r.add(std::make_unique<job::RequireTimeouts>());
  r.add(std::make_unique<job::BanPrivileged>());
  r.add(std::make_unique<job::RequireMigrationLabel>());

  // tenancy: isolation between tenants
  r.add(std::make_unique<tenancy::RequireTenantLabel>());
  r.add(std::make_unique<tenancy::RequireOwnedTarget>());
  r.add(std::make_unique<tenancy::CrossTenantSchema>());
  r.add(std::make_unique<tenancy::CrossTenantForeignKey>());
  r.add(std::make_unique<tenancy::CrossTenantGrant>());
  r.add(std::make_unique<tenancy::RequireTenantColumn>());
  r.add(std::make_unique<tenancy::TenantScopedKeys>());
  r.add(std::make_unique<tenancy::RequireRowLevelSecurity>());

  // concurrency: one migration per database, a cluster-wide limit, freezes
  r.add(std::make_unique<concurrency::NamespaceFreeze>());
  r.add(std::make_unique<concurrency::OneMigrationPerDatabase>());
  r.add(std::make_unique<concurrency::MaxConcurrentMigrations>());

  // rollback (helper R)
  r.add(std::make_unique<rollback::RequireDownMigration>());
  r.add(std::make_unique<rollback::DownReversesUp>());
  r.add(std::make_unique<rollback::IrreversibleChange>());
  r.add(std::make_unique<lint::UnanalyzableDynamicSql>());
  r.add(std::make_unique<lint::UnanalyzableGoSql>());

  // lint: destructive changes, transactions and types (helper C)
  r.add(std::make_unique<lint::BanDropTable>());
  r.add(std::make_unique<lint::BanDropColumn>());
  r.add(std::make_unique<lint::BanDropSchema>());
  r.add(std::make_unique<lint::BanDropDatabase>());
  r.add(std::make_unique<lint::BanTruncate>());
  r.add(std::make_unique<lint::BanRenameTable>());
  r.add(std::make_unique<lint::BanRenameColumn>());
  r.add(std::make_unique<lint::BanEnumAddValueUnordered>());
  r.add(std::make_unique<lint::BanEnumAddValueInTransaction>());
  r.add(std::make_unique<lint::BanUnboundedDml>());
  r.add(std::make_unique<lint::BanUncommittedTransaction>());
  r.add(std::make_unique<lint::BanNestedTransaction>());
  r.add(std::make_unique<lint::MaxIdentifierLength>());
  r.add(std::make_unique<lint::PreferBigint>());
  r.add(std::make_unique<lint::PreferText>());
  r.add(std::make_unique<lint::PreferTimestamptz>());
  r.add(std::make_unique<lint::PreferIdentity>());
  r.add(std::make_unique<lint::PreferJsonb>());
}

}  // namespace schemagate::gates
