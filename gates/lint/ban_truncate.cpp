#include "gates/lint/ban_truncate.hpp"

#include "gates/common/script_objects.hpp"

namespace schemagate::gates::lint {

const GateInfo& BanTruncate::info() const {
  static const GateInfo kInfo{
      "lint.ban-truncate",
      "TRUNCATE deletes every row under an ACCESS EXCLUSIVE lock; with CASCADE, in referencing tables too.",
      Category::kLint,
      Severity::kError,
      {}};
  return kInfo;
}

void BanTruncate::check(const Context&, const sql::Script& script, const sql::Statement& st,
                        Reporter& out) const {
  if (st.tag() != "TruncateStmt") return;
  bool cascade = st.body()["behavior"].str() == "DROP_CASCADE";
  for (sql::Node r : st.body()["relations"]) {
    sql::RelationName table = sql::range_var(r);
    // A table created in this script: only the script's own rows go. With CASCADE the
    // tables referencing it could be old ones, so that case is always reported.
    if (!cascade && objects::table_created_earlier(script, st, table)) continue;
    std::string t = display_relation(table);
    std::string message =
        cascade ? "TRUNCATE " + t + " CASCADE deletes every row of " + t +
                      " and also empties every table that references it through a foreign key, each under an "
                      "ACCESS EXCLUSIVE lock."
                : "TRUNCATE " + t + " deletes every row of " + t +
                      " for good and holds an ACCESS EXCLUSIVE lock on " + t +
                      " that blocks all reads and writes.";
    Finding& f =
        out.report(script, st, std::move(message),
                   "Delete only the rows that must go, in batches with DELETE ... WHERE, or truncate by hand "
                   "in a maintenance window after a backup.");
    if (cascade) {
      f.steps.push_back("Drop CASCADE and list every table to empty explicitly: TRUNCATE " + t +
                        ", <referencing tables>; so the review sees each of them.");
    }
    f.steps.push_back("Make sure the rows of " + t + " are really disposable (or pg_dump --table=" + t +
                      " them first).");
    f.steps.push_back("Delete in batches by key range (DELETE FROM " + t +
                      " WHERE id >= $1 AND id < $2), committing after each batch.");
    f.steps.push_back(
        "If the whole table must be emptied at once, do it in a maintenance window with -- schemagate:ignore "
        "lint.ban-truncate <reason>.");
  }
}

}  // namespace schemagate::gates::lint
