#include "gates/lint/ban_drop_table.hpp"

#include "gates/common/script_objects.hpp"
#include "gates/common/undo.hpp"

namespace schemagate::gates::lint {

const GateInfo& BanDropTable::info() const {
  static const GateInfo kInfo{
      "lint.ban-drop-table",
      "DROP TABLE of a table that existed before the migration deletes its data and breaks running code.",
      Category::kLint,
      Severity::kError,
      {}};
  return kInfo;
}

void BanDropTable::check(const Context& ctx, const sql::Script& script, const sql::Statement& st,
                         Reporter& out) const {
  if (st.tag() != "DropStmt" || st.body()["removeType"].str() != "OBJECT_TABLE") return;
  for (const sql::RelationName& table : st.facts.drops) {
    // A table created earlier in this script holds only what the script put there.
    if (objects::table_created_earlier(script, st, table)) continue;
    // The down of the migration that creates it: the rollback, judged by rollback.*.
    if (undo::up_created_table(ctx, script, table)) continue;
    std::string t = display_relation(table);
    Finding& f = out.report(
        script, st,
        "Dropping table " + t + " deletes its rows for good and takes an ACCESS EXCLUSIVE lock on " + t +
            "; code that still uses " + t + " fails.",
        "Remove every use of " + t +
            " from the code and deploy that first, then drop the table in a later migration.");
    f.steps = {"Remove every read and write of " + t + " from the application code and deploy it everywhere.",
               "Confirm nothing uses " + t +
                   " any more: seq_scan, idx_scan and n_tup_ins in pg_stat_user_tables stay flat.",
               "Keep a copy if the data may be needed again: pg_dump --table=" + t + ".",
               "Drop it in a migration of its own: DROP TABLE " + t +
                   "; with -- schemagate:ignore lint.ban-drop-table <reason>."};
  }
}

}  // namespace schemagate::gates::lint
