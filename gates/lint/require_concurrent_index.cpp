#include "gates/lint/require_concurrent_index.hpp"

namespace schemagate::gates::lint {

const GateInfo& RequireConcurrentIndex::info() const {
  static const GateInfo kInfo{
      "lint.require-concurrent-index",
      "CREATE INDEX without CONCURRENTLY blocks writes to an existing table for the whole build.",
      Category::kLint,
      Severity::kError,
      {}};
  return kInfo;
}

void RequireConcurrentIndex::check(const Context&, const sql::Script& script, const sql::Statement& st,
                                   Reporter& out) const {
  if (st.tag() != "IndexStmt" || st.body()["concurrent"].boolean()) return;
  sql::RelationName table = sql::range_var(st.body()["relation"]);
  const sql::RelationLock* lock = st.facts.find(table);
  if (lock == nullptr || lock->is_new) return;  // a table created in this migration has no readers yet
  std::string t = display_relation(table);
  std::string index =
      st.body()["idxname"].str().empty() ? "the index" : quote_ident(st.body()["idxname"].str());
  Finding& f = out.report(
      script, st,
      "CREATE INDEX on " + t + " holds a SHARE lock: writes to " + t + " block until the index build ends.",
      "Build " + index +
          " with CREATE INDEX CONCURRENTLY, in a migration of its own that runs "
          "outside a transaction.");
  f.steps = {
      "Move the statement to its own migration file (no other statements, no transaction; goose: "
      "-- +goose NO TRANSACTION).",
      "Write it as CREATE INDEX CONCURRENTLY " + (index == "the index" ? std::string() : index + " ") +
          "ON " + t + " (...).",
      "If the build fails it leaves an INVALID index: DROP INDEX CONCURRENTLY it and run the migration "
      "again."};
}

}  // namespace schemagate::gates::lint
