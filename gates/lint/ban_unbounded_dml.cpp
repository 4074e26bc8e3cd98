#include "gates/lint/ban_unbounded_dml.hpp"

#include "gates/common/script_objects.hpp"

namespace schemagate::gates::lint {

const GateInfo& BanUnboundedDml::info() const {
  static const GateInfo kInfo{
      "lint.ban-unbounded-dml",
      "DELETE or UPDATE without WHERE on an existing table touches every row in one transaction.",
      Category::kLint,
      Severity::kError,
      {}};
  return kInfo;
}

void BanUnboundedDml::check(const Context&, const sql::Script& script, const sql::Statement& st,
                            Reporter& out) const {
  bool del = st.tag() == "DeleteStmt";
  if ((!del && st.tag() != "UpdateStmt") || st.body()["whereClause"]) return;
  sql::RelationName table = sql::range_var(st.body()["relation"]);
  // A table created earlier in this script holds only the rows the script inserted.
  if (table.empty() || objects::table_created_earlier(script, st, table)) return;
  std::string t = display_relation(table);
  std::string verb = del ? "DELETE" : "UPDATE";
  Finding& f = out.report(
      script, st,
      verb + " without WHERE on " + t + " " + (del ? "deletes" : "rewrites") +
          " every row in one transaction: " +
          "each row stays locked against other writers until it commits, and " +
          (del ? "the dead rows" : "the old row versions") + " bloat " + t + " until VACUUM.",
      "Do it in batches by key range, each in its own short transaction, outside the schema migration.");
  f.steps = {
      "Move the " + verb + " out of the schema migration into a backfill job (or a migration per batch).",
      "Work through " + t + " by primary key: " + verb + (del ? " FROM " + t : " " + t + " SET ...") +
          " WHERE id >= $1 AND id < $2; with a few thousand rows per batch.",
      "Commit after each batch and pause between batches so replicas and VACUUM keep up."};
}

}  // namespace schemagate::gates::lint
