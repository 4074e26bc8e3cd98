#include "gates/lint/ban_rename_column.hpp"

#include "gates/common/script_objects.hpp"
#include "gates/common/undo.hpp"

namespace schemagate::gates::lint {

const GateInfo& BanRenameColumn::info() const {
  static const GateInfo kInfo{"lint.ban-rename-column",
                              "Renaming a column breaks code that uses the old name.",
                              Category::kLint,
                              Severity::kError,
                              {}};
  return kInfo;
}

void BanRenameColumn::check(const Context& ctx, const sql::Script& script, const sql::Statement& st,
                            Reporter& out) const {
  sql::Node b = st.body();
  if (st.tag() != "RenameStmt" || b["renameType"].str() != "OBJECT_COLUMN") return;
  std::string_view reltype = b["relationType"].str();
  if (reltype != "OBJECT_TABLE" && reltype != "OBJECT_FOREIGN_TABLE") return;
  sql::RelationName table = sql::range_var(b["relation"]);
  if (objects::table_created_earlier(script, st, table)) return;  // no code knows its columns yet
  if (undo::up_renamed(ctx, script, table, b["newname"].str(), b["subname"].str(), b["newname"].str()))
    return;  // the down of the migration that renamed it: renaming it back is the rollback
  std::string t = display_relation(table);
  std::string o = quote_ident(b["subname"].str());
  std::string n = quote_ident(b["newname"].str());
  Finding& f =
      out.report(script, st,
                 "Renaming column " + t + "." + o + " to " + n + " breaks running code that still uses " + o +
                     ", and takes an ACCESS EXCLUSIVE lock on " + t + ".",
                 "Add " + n + " next to " + o + ", move the code to it, then drop " + o +
                     " in a later migration (expand and contract).");
  f.steps = {
      "Add the new column: ALTER TABLE " + t + " ADD COLUMN " + n + " <type of " + o + ">;",
      "Have the code write both " + o + " and " + n + " (or keep them in sync with a trigger) and deploy.",
      "Backfill " + n + " from " + o + " in batches: UPDATE " + t + " SET " + n + " = " + o +
          " WHERE id >= $1 AND id < $2;",
      "Move every reader to " + n + ", stop writing " + o + ", and deploy.",
      "Drop the old column in a later migration: ALTER TABLE " + t + " DROP COLUMN " + o + ";"};
}

}  // namespace schemagate::gates::lint
