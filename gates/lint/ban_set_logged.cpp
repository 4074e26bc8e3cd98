#include "gates/lint/ban_set_logged.hpp"

#include "gates/common/columns.hpp"

namespace schemagate::gates::lint {

const GateInfo& BanSetLogged::info() const {
  static const GateInfo kInfo{
      "lint.ban-set-logged",
      "ALTER TABLE SET LOGGED or SET UNLOGGED rewrites the whole table under an ACCESS EXCLUSIVE lock.",
      Category::kLint,
      Severity::kError,
      {}};
  return kInfo;
}

void BanSetLogged::check(const Context&, const sql::Script& script, const sql::Statement& st,
                         Reporter& out) const {
  for (std::string_view sub : {"AT_SetLogged", "AT_SetUnLogged"}) {
    columns::for_each_alter_cmd(st, sub, [&](const sql::RelationName& table, sql::Node) {
      if (columns::table_is_new(st, table)) return;  // created in this script: nobody reads it yet
      bool logged = sub == "AT_SetLogged";
      const sql::RelationLock* lock = st.facts.find(table);
      std::string t = display_relation(table);
      std::string what = logged ? "SET LOGGED" : "SET UNLOGGED";
      // SET LOGGED copies every row into a new file and WAL-logs all of it (ALTER
      // TABLE docs: "SET { LOGGED | UNLOGGED }"), so replicas also receive the table.
      Finding& f = out.report(
          script, st,
          what + " rewrites " + t + (logged ? " and writes all of it to the WAL" : "") + " under " +
              columns::a_lock_phrase(lock->mode, table) + ", which " +
              std::string(sql::lock_mode_blocks(lock->mode)) + " until the rewrite ends.",
          "Create " + t + " " + (logged ? "logged" : "unlogged") +
              " from the start, or copy it into a new table in batches and swap the names in one short "
              "transaction.");
      std::string copy = quote_ident(table.name + "_new");
      if (!table.schema.empty()) copy = quote_ident(table.schema) + "." + copy;
      f.steps = {std::string("CREATE ") + (logged ? "" : "UNLOGGED ") + "TABLE " + copy + " (LIKE " + t +
                     " INCLUDING ALL);",
                 "Copy rows in batches, one short transaction each, and keep " + copy +
                     " in sync with a trigger on " + t + " meanwhile.",
                 "In one short transaction with a lock_timeout: ALTER TABLE " + t + " RENAME TO " +
                     quote_ident(table.name + "_old") + "; ALTER TABLE " + copy + " RENAME TO " +
                     quote_ident(table.name) + ";"};
    });
  }
}

}  // namespace schemagate::gates::lint
