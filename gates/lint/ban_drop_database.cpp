#include "gates/lint/ban_drop_database.hpp"

namespace schemagate::gates::lint {

const GateInfo& BanDropDatabase::info() const {
  static const GateInfo kInfo{"lint.ban-drop-database",
                              "DROP DATABASE deletes a whole database from a migration.",
                              Category::kLint,
                              Severity::kError,
                              {}};
  return kInfo;
}

void BanDropDatabase::check(const Context&, const sql::Script& script, const sql::Statement& st,
                            Reporter& out) const {
  if (st.tag() != "DropdbStmt") return;
  std::string db = quote_ident(st.body()["dbname"].str());
  out.report(script, st,
             "DROP DATABASE " + db + " deletes the database " + db + " and everything in it, for good.",
             "Drop databases by hand, after a backup and under change control, not from a migration.");
}

}  // namespace schemagate::gates::lint
