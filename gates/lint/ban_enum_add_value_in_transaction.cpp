#include "gates/lint/ban_enum_add_value_in_transaction.hpp"

namespace schemagate::gates::lint {

const GateInfo& BanEnumAddValueInTransaction::info() const {
  static const GateInfo kInfo{
      "lint.ban-enum-add-value-in-transaction",
      "ALTER TYPE ... ADD VALUE inside a transaction fails before PostgreSQL 12, and its "
      "value is unusable until commit after.",
      Category::kLint,
      Severity::kError,
      {}};
  return kInfo;
}

namespace {

// Whether the statement holds a string constant equal to `label` (the new enum
// value written as a literal: 'x', 'x'::mood, a column DEFAULT 'x').
bool uses_label(const sql::Statement& st, std::string_view label) {
  bool found = false;
  sql::walk(st.ast, [&](std::string_view tag, sql::Node body) {
    if (tag == "A_Const" && body["sval"]["sval"].is_string() && body["sval"]["sval"].str() == label)
      found = true;
  });
  return found;
}

constexpr std::string_view kOwnMigration =
    "Add the value in a migration of its own that runs outside a transaction (goose: -- +goose NO "
    "TRANSACTION; "
    "golang-migrate: a file holding only this statement).";

}  // namespace

void BanEnumAddValueInTransaction::check(const Context& ctx, const sql::Script& script,
                                         const sql::Statement& st, Reporter& out) const {
  sql::Node b = st.body();
  if (st.tag() != "AlterEnumStmt" || b["oldVal"] || !st.in_transaction) return;
  std::string type = display_relation(sql::qualified_name(b["typeName"]));
  // PostgreSQL 11 docs, ALTER TYPE: "ALTER TYPE ... ADD VALUE (the form that adds a
  // new value to an enum type) cannot be executed inside a transaction block."
  if (ctx.pg_major() < 12) {
    std::string why =
        script.tool_transaction && st.transaction == 0 ? script.transaction_note : "an explicit BEGIN";
    out.report(script, st,
               "ALTER TYPE " + type + " ADD VALUE cannot run inside a transaction block on PostgreSQL " +
                   std::to_string(ctx.pg_major()) + ", and here it runs in one (" + why +
                   "), so the migration fails.",
               std::string(kOwnMigration));
    return;
  }
  // PostgreSQL 12+ docs, ALTER TYPE: "If ALTER TYPE ... ADD VALUE ... is executed
  // inside a transaction block, the new value cannot be used until after the
  // transaction has been committed." A later statement of the same block that uses
  // it fails with "unsafe use of new value".
  std::string_view label = b["newVal"].str();
  for (const sql::Statement& later : script.statements) {
    if (later.index <= st.index || later.transaction != st.transaction) continue;
    if (!uses_label(later, label)) continue;
    out.report(script, later,
               "This statement uses the value that ALTER TYPE " + type + " ADD VALUE at line " +
                   std::to_string(st.position.line) +
                   " adds in the same transaction, which PostgreSQL rejects until that transaction commits.",
               std::string(kOwnMigration));
    return;
  }
}

}  // namespace schemagate::gates::lint
