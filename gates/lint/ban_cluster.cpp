#include "gates/lint/ban_cluster.hpp"

#include "gates/common/columns.hpp"

namespace schemagate::gates::lint {

const GateInfo& BanCluster::info() const {
  static const GateInfo kInfo{
      "lint.ban-cluster",
      "CLUSTER rewrites the table under an ACCESS EXCLUSIVE lock that blocks all reads and writes.",
      Category::kLint,
      Severity::kError,
      {}};
  return kInfo;
}

void BanCluster::check(const Context&, const sql::Script& script, const sql::Statement& st,
                       Reporter& out) const {
  if (st.tag() != "ClusterStmt") return;
  sql::RelationName table = sql::range_var(st.body()["relation"]);
  std::string_view index = st.body()["indexname"].str();
  const std::string help =
      "Reorder the table online with pg_repack (--order-by or --index), which holds ACCESS EXCLUSIVE only "
      "briefly to swap the copy in.";
  if (table.empty()) {
    // CLUSTER alone re-clusters every table that was clustered before.
    Finding& f =
        out.report(script, st,
                   "CLUSTER without a table rewrites every previously clustered table in the "
                   "database, each under an ACCESS EXCLUSIVE lock, which blocks all reads and writes "
                   "until its rewrite ends.",
                   help);
    f.steps = {"Run pg_repack --index <index> --table <table> for each table that needs its rows reordered."};
    return;
  }
  const sql::RelationLock* lock = st.facts.find(table);
  if (lock == nullptr || lock->is_new) return;  // created in this script: nobody reads it yet
  std::string t = display_relation(table);
  Finding& f = out.report(script, st,
                          "CLUSTER rewrites " + t + " and its indexes under " +
                              columns::a_lock_phrase(lock->mode, table) + ", which " +
                              std::string(sql::lock_mode_blocks(lock->mode)) + " until the rewrite ends.",
                          help);
  std::string idx = index.empty() ? "<index>" : quote_ident(index);
  if (!table.schema.empty() && !index.empty()) idx = quote_ident(table.schema) + "." + idx;
  f.steps = {"Remove the CLUSTER statement from the migration.",
             "Run pg_repack --table " + t + " --index " + idx + " outside the migration: it copies " + t +
                 " in index order online and swaps it in briefly."};
}

}  // namespace schemagate::gates::lint
