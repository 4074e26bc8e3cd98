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
  using Target = sql::StatementFacts::Target;
  // ON ONLY builds nothing on a partitioned table (an invalid index on the parent, at
  // once): the first step of the recipe below. On a plain table it is an ordinary
  // build, reported when the history shows the table is one.
  bool only = !st.body()["relation"]["inh"].boolean();
  if (only && st.facts.target != Target::kTable) return;
  std::string t = display_relation(table);
  std::string index =
      st.body()["idxname"].str().empty() ? "the index" : quote_ident(st.body()["idxname"].str());
  if (st.facts.target == Target::kPartitioned && !only) {
    partitioned(script, st, table, index, out);
    return;
  }
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

// A partitioned table: PostgreSQL 15 builds the index on every partition under SHARE
// locks and cannot do it CONCURRENTLY ("cannot create index on partitioned table ...
// concurrently"). The way without blocking writes (PostgreSQL docs, CREATE INDEX,
// "Building Indexes Concurrently" and ALTER INDEX ... ATTACH PARTITION): an index ON
// ONLY the parent, one CONCURRENTLY per partition, each attached.
void RequireConcurrentIndex::partitioned(const sql::Script& script, const sql::Statement& st,
                                         const sql::RelationName& table, const std::string& index,
                                         Reporter& out) const {
  std::string t = display_relation(table);
  std::vector<std::string> partitions;
  for (const sql::RelationLock& l : st.facts.locks) {
    if (!l.is_new && !l.relation.matches(table)) partitions.push_back(display_relation(l.relation));
  }
  std::string count = partitions.empty() ? "each of its partitions"
                      : partitions.size() == 1
                          ? "its partition"
                          : "each of its " + std::to_string(partitions.size()) + " partitions";
  std::string name = index == "the index" ? std::string("<index>") : index;
  std::string listed;
  for (std::size_t i = 0; i < partitions.size() && i < 5; ++i)
    listed += (i == 0 ? "" : ", ") + partitions[i];
  if (partitions.size() > 5) listed += " and " + std::to_string(partitions.size() - 5) + " more";
  Finding& f = out.report(script, st,
                          "CREATE INDEX on partitioned table " + t + " builds an index on " + count +
                              " under SHARE locks: writes to " + t + " block until every build ends.",
                          "Create " + index + " ON ONLY " + t +
                              ", build each partition's index with CREATE INDEX CONCURRENTLY, then attach "
                              "them: PostgreSQL cannot build an index on a partitioned table concurrently.");
  f.steps = {
      "CREATE INDEX " + name + " ON ONLY " + t + " (...); -- at once: an invalid index on " + t + " alone.",
      "For each partition" + (listed.empty() ? std::string() : " (" + listed + ")") +
          ", in a migration of its own outside a transaction: CREATE INDEX CONCURRENTLY ON <partition> "
          "(...);",
      "ALTER INDEX " + name + " ATTACH PARTITION <partition's index>; for each one: " + name +
          " is valid once the last is attached."};
}

}  // namespace schemagate::gates::lint
