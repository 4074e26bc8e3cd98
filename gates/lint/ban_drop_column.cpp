#include "gates/lint/ban_drop_column.hpp"

#include "gates/common/script_objects.hpp"
#include "gates/common/undo.hpp"

namespace schemagate::gates::lint {

const GateInfo& BanDropColumn::info() const {
  static const GateInfo kInfo{
      "lint.ban-drop-column",
      "ALTER TABLE ... DROP COLUMN breaks clients that still read or write the column.",
      Category::kLint,
      Severity::kError,
      {}};
  return kInfo;
}

void BanDropColumn::check(const Context& ctx, const sql::Script& script, const sql::Statement& st,
                          Reporter& out) const {
  if (st.tag() != "AlterTableStmt") return;
  sql::RelationName table = sql::range_var(st.body()["relation"]);
  if (objects::table_created_earlier(script, st, table)) return;  // no code knows its columns yet
  std::string t = display_relation(table);
  for (sql::Node cmd : st.body()["cmds"]) {
    sql::Node c = cmd.body();
    std::string_view sub = c["subtype"].str();
    if (sub != "AT_DropColumn" && sub != "AT_DropColumnRecurse") continue;
    // The down of the migration that adds it: the rollback, judged by rollback.*.
    if (undo::up_added_column(ctx, script, table, c["name"].str())) continue;
    std::string col = quote_ident(c["name"].str());
    bool cascade = c["behavior"].str() == "DROP_CASCADE";
    std::string message =
        "Dropping column " + t + "." + col +
        " breaks running code that still reads or writes it, and takes an ACCESS EXCLUSIVE lock on " + t +
        (cascade ? "; CASCADE also drops the views, indexes and constraints that use it." : ".");
    Finding& f = out.report(script, st, std::move(message),
                            "Stop using " + col +
                                " in the code and deploy that first, then drop the column in a "
                                "later migration.");
    f.steps = {"Remove every read and write of " + t + "." + col +
                   " from the application code; ORMs that cache column lists (Rails ignored_columns, "
                   "Django and Hibernate models) must stop selecting it too.",
               "Deploy that code everywhere, so no running instance still selects " + col + ".",
               "Drop it in a later migration: ALTER TABLE " + t + " DROP COLUMN " + col + ";"};
  }
}

}  // namespace schemagate::gates::lint
