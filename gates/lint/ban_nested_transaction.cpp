#include "gates/lint/ban_nested_transaction.hpp"

#include "gates/common/transaction_blocks.hpp"

namespace schemagate::gates::lint {

const GateInfo& BanNestedTransaction::info() const {
  static const GateInfo kInfo{"lint.ban-nested-transaction",
                              "BEGIN inside an open transaction starts nothing, and the next COMMIT ends the "
                              "outer transaction early.",
                              Category::kLint,
                              Severity::kError,
                              {}};
  return kInfo;
}

void BanNestedTransaction::evaluate(const Context& ctx, Reporter& out) const {
  for (const sql::Script* script : ctx.scripts()) {
    for (const txn::TransactionEvent& e : txn::transaction_events(ctx, *script)) {
      if (e.kind == txn::TransactionEvent::Kind::kBeginInsideBegin) {
        out.report(
            *script, *e.statement,
            "BEGIN inside the transaction opened at line " + std::to_string(e.outer->position.line) +
                " starts nothing (PostgreSQL only warns that a transaction is already in progress), so the "
                "next COMMIT commits the outer transaction's work too.",
            "Remove the inner BEGIN and its COMMIT, or use SAVEPOINT and RELEASE SAVEPOINT for a nested "
            "step.");
      } else if (e.kind == txn::TransactionEvent::Kind::kBeginInsideTool) {
        std::string tool(txn::wrapping_tool(ctx, *script));
        std::string help =
            "Remove BEGIN and COMMIT and let " + tool + " run the migration in its transaction";
        help +=
            tool == "goose" ? ", or add -- +goose NO TRANSACTION to manage the transaction yourself." : ".";
        out.report(
            *script, *e.statement,
            "BEGIN inside " + tool +
                "'s own transaction starts nothing (PostgreSQL only warns that a transaction is already in "
                "progress), so a COMMIT in the script commits " +
                tool + "'s transaction early and the rest of the migration runs without one.",
            std::move(help));
      }
    }
  }
}

}  // namespace schemagate::gates::lint
