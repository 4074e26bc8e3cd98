// The one list of built-in gates: one line per gate (STYLE.md). Order is the order
// `schemagate gates` lists them; the engine's output order does not depend on it.
#include "gates/job/require_migration_sql.hpp"
#include "gates/lint/require_concurrent_index.hpp"
#include "gates/lint/sql_syntax_error.hpp"
#include "gates/lint/unused_suppression.hpp"
#include "gates/registry.hpp"
// lint: destructive changes, transactions and types (helper C)
#include "gates/lint/ban_drop_table.hpp"
#include "gates/lint/ban_drop_column.hpp"
#include "gates/lint/ban_drop_schema.hpp"
#include "gates/lint/ban_drop_database.hpp"
#include "gates/lint/ban_truncate.hpp"
#include "gates/lint/ban_rename_table.hpp"
#include "gates/lint/ban_rename_column.hpp"
#include "gates/lint/ban_enum_add_value_unordered.hpp"
#include "gates/lint/ban_enum_add_value_in_transaction.hpp"
#include "gates/lint/ban_unbounded_dml.hpp"
#include "gates/lint/ban_uncommitted_transaction.hpp"
#include "gates/lint/ban_nested_transaction.hpp"
#include "gates/lint/max_identifier_length.hpp"
#include "gates/lint/prefer_bigint.hpp"
#include "gates/lint/prefer_text.hpp"
#include "gates/lint/prefer_timestamptz.hpp"
#include "gates/lint/prefer_identity.hpp"
#include "gates/lint/prefer_jsonb.hpp"

namespace schemagate::gates {

void register_builtin_gates(Registry& r) {
  // lint: SQL lock and downtime safety
  r.add(std::make_unique<lint::SqlSyntaxError>());
  r.add(std::make_unique<lint::RequireConcurrentIndex>());
  r.add(std::make_unique<lint::UnusedSuppression>());

  // job: the migration Job itself
  r.add(std::make_unique<job::RequireMigrationSql>());

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
