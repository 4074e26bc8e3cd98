#include "gates/lint/require_concurrent_index_drop.hpp"

#include "gates/common/constraints.hpp"

namespace schemagate::gates::lint {

const GateInfo& RequireConcurrentIndexDrop::info() const {
  static const GateInfo kInfo{
      "lint.require-concurrent-index-drop",
      "DROP INDEX without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on the index's table.",
      Category::kLint,
      Severity::kError,
      {}};
  return kInfo;
}

void RequireConcurrentIndexDrop::check(const Context& ctx, const sql::Script& script,
                                       const sql::Statement& st, Reporter& out) const {
  if (st.tag() != "DropStmt" || st.body()["removeType"].str() != "OBJECT_INDEX" ||
      st.body()["concurrent"].boolean())
    return;
  // DROP INDEX locks the index's table ACCESS EXCLUSIVE too (PostgreSQL docs, DROP
  // INDEX, CONCURRENTLY: "a normal DROP INDEX acquires an ACCESS EXCLUSIVE lock on the
  // table"). The SQL names only the index; the set may tell us its table.
  for (const sql::RelationLock& lock : st.facts.locks) {
    if (lock.is_new || lock.kind != sql::RelationKind::kIndex) continue;  // created in this script
    std::string index = display_relation(lock.relation);
    sql::RelationName table = table_of_index(ctx, lock.relation);
    std::string on = table.empty() ? "its table" : display_relation(table);
    Finding& f =
        out.report(script, st,
                   "DROP INDEX " + index + " takes an ACCESS EXCLUSIVE lock on " + on + ": it " +
                       std::string(sql::lock_mode_blocks(sql::LockMode::kAccessExclusive)) + " on " + on +
                       " while it waits for running queries and drops the index.",
                   "Drop " + index +
                       " with DROP INDEX CONCURRENTLY, in a migration of its own that runs outside a "
                       "transaction.");
    f.steps = {
        "Move the statement to its own migration file (no other statements, no transaction; goose: "
        "-- +goose NO TRANSACTION).",
        "Write it as DROP INDEX CONCURRENTLY IF EXISTS " + index + "; (one index per statement, no CASCADE).",
    };
  }
}

}  // namespace schemagate::gates::lint
