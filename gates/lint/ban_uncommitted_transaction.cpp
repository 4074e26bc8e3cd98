#include "gates/lint/ban_uncommitted_transaction.hpp"

#include "gates/common/transaction_blocks.hpp"

namespace schemagate::gates::lint {

const GateInfo& BanUncommittedTransaction::info() const {
  static const GateInfo kInfo{
      "lint.ban-uncommitted-transaction",
      "A BEGIN that the script never commits or rolls back leaves its work pending until the session ends.",
      Category::kLint,
      Severity::kError,
      {}};
  return kInfo;
}

void BanUncommittedTransaction::evaluate(const Context& ctx, Reporter& out) const {
  for (const sql::Script* script : ctx.scripts()) {
    for (const txn::TransactionEvent& e : txn::transaction_events(ctx, *script)) {
      if (e.kind != txn::TransactionEvent::Kind::kNeverEnded) continue;
      out.report(*script, *e.statement,
                 "The transaction this BEGIN opens is never committed or rolled back, so its changes stay "
                 "invisible and its locks stay held until the session ends, and then they are rolled back.",
                 "End the transaction with COMMIT at the end of the script, or remove the BEGIN and let the "
                 "tool run the script.");
    }
  }
}

}  // namespace schemagate::gates::lint
