#include "gates/lint/ban_drop_schema.hpp"

#include "gates/common/script_objects.hpp"
#include "gates/common/undo.hpp"

namespace schemagate::gates::lint {

const GateInfo& BanDropSchema::info() const {
  static const GateInfo kInfo{
      "lint.ban-drop-schema",
      "DROP SCHEMA removes a schema that code may still use; with CASCADE, everything in it.",
      Category::kLint,
      Severity::kError,
      {}};
  return kInfo;
}

void BanDropSchema::check(const Context& ctx, const sql::Script& script, const sql::Statement& st,
                          Reporter& out) const {
  if (st.tag() != "DropStmt" || st.body()["removeType"].str() != "OBJECT_SCHEMA") return;
  bool cascade = st.body()["behavior"].str() == "DROP_CASCADE";
  for (sql::Node obj : st.body()["objects"]) {
    std::string_view name = sql::string_value(obj);
    if (name.empty() || objects::schema_created_earlier(script, st, name)) continue;
    if (undo::up_created_schema(ctx, script, name)) continue;  // the rollback of its own up
    std::string s = quote_ident(name);
    Finding& f =
        cascade
            ? out.report(script, st,
                         "DROP SCHEMA " + s + " CASCADE deletes every table, view, function and type in " +
                             s + ", with all their data.",
                         "Drop the objects in " + s +
                             " one by one in earlier migrations, where each drop is reviewed, then drop "
                             "the empty schema without CASCADE.")
            : out.report(
                  script, st,
                  "Dropping schema " + s + " breaks code and search_path settings that still refer to it.",
                  "Remove every use of " + s +
                      " from code, roles and search_path first, then drop it in "
                      "a later migration.");
    f.steps = {
        "List what is left in " + s + ": \\dn+ " + s + " and \\d " + s + ".* in psql.",
        "Move or drop each object in its own reviewed migration.",
        "Remove " + s + " from search_path settings (ALTER ROLE ... SET search_path) and from the code.",
        "Drop the empty schema without CASCADE: DROP SCHEMA " + s + ";"};
  }
}

}  // namespace schemagate::gates::lint
