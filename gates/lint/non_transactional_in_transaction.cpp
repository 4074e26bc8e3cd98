#include "gates/lint/non_transactional_in_transaction.hpp"

#include "gates/common/constraints.hpp"

namespace schemagate::gates::lint {

const GateInfo& NonTransactionalInTransaction::info() const {
  static const GateInfo kInfo{"lint.non-transactional-in-transaction",
                              "A statement PostgreSQL refuses inside a transaction block runs inside one.",
                              Category::kLint,
                              Severity::kError,
                              {}};
  return kInfo;
}

namespace {

// The statement as a reader knows it: "CREATE INDEX CONCURRENTLY", "VACUUM".
std::string label(const sql::Statement& st) {
  std::string_view tag = st.tag();
  sql::Node s = st.body();
  if (tag == "IndexStmt" && s["concurrent"].boolean()) return "CREATE INDEX CONCURRENTLY";
  if (tag == "DropStmt" && s["concurrent"].boolean()) return "DROP INDEX CONCURRENTLY";
  if (tag == "ReindexStmt") {
    std::string_view kind = s["kind"].str();
    std::string scope = kind == "REINDEX_OBJECT_INDEX"    ? "INDEX"
                        : kind == "REINDEX_OBJECT_TABLE"  ? "TABLE"
                        : kind == "REINDEX_OBJECT_SCHEMA" ? "SCHEMA"
                        : kind == "REINDEX_OBJECT_SYSTEM" ? "SYSTEM"
                                                          : "DATABASE";
    return "REINDEX " + scope + (sql::option_enabled(s["params"], "concurrently") ? " CONCURRENTLY" : "");
  }
  if (tag == "AlterTableStmt") {
    for (sql::Node cmd : alter_table_commands(st)) {
      if (cmd["subtype"].str() == "AT_DetachPartition") return "DETACH PARTITION CONCURRENTLY";
    }
  }
  return st.facts.kind;
}

// Why the statement runs in a transaction block, in the script's own terms.
std::string why_in_transaction(const sql::Script& script, const sql::Statement& st) {
  const std::vector<sql::Statement>& all = script.statements;
  for (std::size_t i = 0; i + 1 < all.size() && all[i].index < st.index; ++i) {
    const sql::Statement& other = all[i];
    if (other.transaction == st.transaction && other.facts.kind == "BEGIN")
      return "BEGIN on line " + std::to_string(other.position.line) + " opens it";
    // COMMIT AND CHAIN ends its own block and opens the next one (st's) at once.
    bool chain = other.tag() == "TransactionStmt" && other.body()["chain"].boolean();
    if (chain && other.transaction != st.transaction && all[i + 1].transaction == st.transaction)
      return other.facts.kind + " AND CHAIN on line " + std::to_string(other.position.line) + " opens it";
  }
  return script.transaction_note;
}

// How to run a statement outside a transaction with the tool that runs this script.
std::string how_to_leave(const Context& ctx, const sql::Script& script, const sql::Statement& st) {
  const sql::Migration* m = migration_of(ctx, script);
  std::string why = why_in_transaction(script, st);
  if (why.rfind("BEGIN on line", 0) == 0) return "outside BEGIN ... COMMIT";
  if (why.find(" AND CHAIN on line ") != std::string::npos) return "after a COMMIT without AND CHAIN";
  switch (m ? m->format : sql::Format::kPlain) {
    case sql::Format::kGoose:
      return "in a goose migration of its own marked -- +goose NO TRANSACTION";
    case sql::Format::kGolangMigrate:
      return "in a golang-migrate file that holds only this statement";
    case sql::Format::kFlyway:
      return "in a Flyway migration of its own";
    case sql::Format::kDirectory:
      return "in a migration folder of its own that the tool runs outside a transaction";
    case sql::Format::kPlain:
      break;
  }
  return "in a migration of its own that runs outside a transaction";
}

}  // namespace

void NonTransactionalInTransaction::check(const Context& ctx, const sql::Script& script,
                                          const sql::Statement& st, Reporter& out) const {
  if (st.facts.transactional || !st.in_transaction) return;
  std::string what = label(st);
  std::string where = how_to_leave(ctx, script, st);
  Finding& f =
      out.report(script, st,
                 what + " cannot run inside a transaction block, but here it runs in one (" +
                     why_in_transaction(script, st) + "): PostgreSQL rejects it and the migration fails.",
                 "Run " + what + " " + where + ".");
  f.steps = {"Move " + what + " " + where + ".", "PostgreSQL refuses it in a transaction block: " +
                                                     std::string(st.facts.not_transactional_why) + "."};
}

}  // namespace schemagate::gates::lint
