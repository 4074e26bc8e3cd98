#include "gates/lint/ban_rename_table.hpp"

#include "gates/common/script_objects.hpp"
#include "gates/common/undo.hpp"

namespace schemagate::gates::lint {

const GateInfo& BanRenameTable::info() const {
  static const GateInfo kInfo{
      "lint.ban-rename-table",
      "Renaming a table (or moving it to another schema) breaks code that uses the old name.",
      Category::kLint,
      Severity::kError,
      {}};
  return kInfo;
}

void BanRenameTable::check(const Context& ctx, const sql::Script& script, const sql::Statement& st,
                           Reporter& out) const {
  sql::Node b = st.body();
  sql::RelationName old_name;
  sql::RelationName new_name;
  if (st.tag() == "RenameStmt" && b["renameType"].str() == "OBJECT_TABLE") {
    old_name = sql::range_var(b["relation"]);
    new_name = sql::RelationName{old_name.schema, std::string(b["newname"].str())};
  } else if (st.tag() == "AlterObjectSchemaStmt" && b["objectType"].str() == "OBJECT_TABLE") {
    old_name = sql::range_var(b["relation"]);
    new_name = sql::RelationName{std::string(b["newschema"].str()), old_name.name};
  } else {
    return;
  }
  if (old_name.empty() || objects::table_created_earlier(script, st, old_name))
    return;  // no code uses it yet
  if (st.tag() == "RenameStmt" && undo::up_renamed(ctx, script, old_name, {}, old_name.name, new_name.name))
    return;  // the down of the migration that renamed it: renaming it back is the rollback
  std::string o = display_relation(old_name);
  std::string n = display_relation(new_name);
  bool moved = st.tag() == "AlterObjectSchemaStmt";
  std::string what = moved ? "Moving table " + o + " to schema " + quote_ident(new_name.schema)
                           : "Renaming table " + o + " to " + quote_ident(new_name.name);
  Finding& f = out.report(script, st,
                          what + " breaks running code that still uses " + o +
                              ", and takes an ACCESS EXCLUSIVE lock on " + o + ".",
                          "Keep " + o + " working while code moves to " + n + ": create a view named " + o +
                              " over " + n + " in the same transaction.");
  f.steps = {"In one transaction: " +
                 std::string(moved ? "ALTER TABLE " + o + " SET SCHEMA " + quote_ident(new_name.schema)
                                   : "ALTER TABLE " + o + " RENAME TO " + quote_ident(new_name.name)) +
                 "; CREATE VIEW " + o + " AS SELECT * FROM " + n +
                 "; (a simple view is updatable, so old code keeps reading and writing).",
             "Deploy code that uses " + n + " everywhere.",
             "Drop the view in a later migration: DROP VIEW " + o + ";"};
}

}  // namespace schemagate::gates::lint
