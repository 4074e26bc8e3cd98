#include "gates/lint/require_concurrent_reindex.hpp"

#include "gates/common/constraints.hpp"

namespace schemagate::gates::lint {

const GateInfo& RequireConcurrentReindex::info() const {
  static const GateInfo kInfo{
      "lint.require-concurrent-reindex",
      "REINDEX without CONCURRENTLY blocks writes to the table, and reads that use its indexes.",
      Category::kLint,
      Severity::kError,
      {}};
  return kInfo;
}

namespace {

constexpr std::string_view kOwnMigration =
    "Move the statement to its own migration file (no other statements, no transaction; goose: "
    "-- +goose NO TRANSACTION).";

}  // namespace

void RequireConcurrentReindex::check(const Context& ctx, const sql::Script& script, const sql::Statement& st,
                                     Reporter& out) const {
  if (st.tag() != "ReindexStmt" || sql::option_enabled(st.body()["params"], "concurrently")) return;
  std::string_view kind = st.body()["kind"].str();
  sql::RelationName rel = sql::range_var(st.body()["relation"]);
  // REINDEX takes SHARE on the table and ACCESS EXCLUSIVE on each index it rebuilds
  // (PostgreSQL docs, REINDEX, "Notes"); CONCURRENTLY exists since PostgreSQL 12.
  bool has_concurrently = ctx.pg_major() >= 12;
  std::string message;
  std::string help;
  std::vector<std::string> steps;
  if (kind == "REINDEX_OBJECT_INDEX" || kind == "REINDEX_OBJECT_TABLE") {
    if (existing_lock(st, rel) == nullptr) return;  // created earlier in this script
    bool index = kind == "REINDEX_OBJECT_INDEX";
    std::string name = display_relation(rel);
    if (index) {
      sql::RelationName table = table_of_index(ctx, rel);
      std::string t = table.empty() ? "its table" : display_relation(table);
      message = "REINDEX INDEX " + name + " takes a SHARE lock on " + t +
                " and an ACCESS EXCLUSIVE lock on " + name + ": writes to " + t +
                ", and reads that use the index, block until the rebuild ends.";
    } else {
      message = "REINDEX TABLE " + name + " takes a SHARE lock on " + name +
                " and an ACCESS EXCLUSIVE lock on each of its indexes: writes to " + name +
                ", and reads that use an index, block until every index is rebuilt.";
    }
    std::string what = std::string(index ? "INDEX " : "TABLE ") + name;
    if (has_concurrently) {
      help = "Rebuild with REINDEX " + std::string(index ? "INDEX" : "TABLE") + " CONCURRENTLY " + name +
             ", in a migration of its own that runs outside a transaction.";
      steps = {
          std::string(kOwnMigration),
          "Write it as REINDEX " + std::string(index ? "INDEX" : "TABLE") + " CONCURRENTLY " + name + ";",
          "If it fails it leaves an INVALID index ending in _ccnew: DROP INDEX CONCURRENTLY it and run the "
          "migration again."};
    } else {
      help =
          "Before PostgreSQL 12, build a replacement with CREATE INDEX CONCURRENTLY and drop the old index "
          "with DROP INDEX CONCURRENTLY instead of REINDEX " +
          what + ".";
      steps = {std::string(kOwnMigration),
               "CREATE INDEX CONCURRENTLY <new name> ON <table> (<same definition>);",
               "DROP INDEX CONCURRENTLY <old name>; then ALTER INDEX <new name> RENAME TO <old name>;"};
    }
  } else {
    std::string scope = kind == "REINDEX_OBJECT_SCHEMA"     ? "SCHEMA"
                        : kind == "REINDEX_OBJECT_DATABASE" ? "DATABASE"
                                                            : "SYSTEM";
    std::string name(st.body()["name"].str());
    std::string target = scope + (name.empty() ? "" : " " + quote_ident(name));
    message =
        "REINDEX " + target +
        " rebuilds every index it covers, taking a SHARE lock on each table and an ACCESS EXCLUSIVE lock "
        "on each index: writes, and reads that use an index, block table by table.";
    if (scope == "SYSTEM" || !has_concurrently) {
      help =
          "Rebuild system catalogs (or, before PostgreSQL 12, whole schemas) in a maintenance window, not "
          "in a migration.";
      steps = {"Remove REINDEX " + target + " from the migration.",
               "Run it by hand in a maintenance window, or rebuild the indexes that need it one by one."};
    } else {
      help = "Rebuild with REINDEX " + scope +
             " CONCURRENTLY, in a migration of its own that runs outside a "
             "transaction, or rebuild only the indexes that need it.";
      steps = {std::string(kOwnMigration),
               "Write it as REINDEX " + scope + " CONCURRENTLY" +
                   (name.empty() ? "" : " " + quote_ident(name)) + "; (system catalogs are skipped).",
               "If it fails it leaves INVALID indexes ending in _ccnew: DROP INDEX CONCURRENTLY them and run "
               "the migration again."};
    }
  }
  out.report(script, st, std::move(message), std::move(help)).steps = std::move(steps);
}

}  // namespace schemagate::gates::lint
