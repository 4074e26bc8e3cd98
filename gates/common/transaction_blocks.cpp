#include "gates/common/transaction_blocks.hpp"

namespace schemagate::gates::txn {

sql::Format format_of(const Context& ctx, const sql::Script& script) {
  if (ctx.migrations == nullptr) return sql::Format::kPlain;
  for (const sql::Migration& m : ctx.migrations->migrations) {
    if ((m.up && &*m.up == &script) || (m.down && &*m.down == &script)) return m.format;
  }
  return sql::Format::kPlain;
}

std::string_view wrapping_tool(const Context& ctx, const sql::Script& script) {
  if (!script.tool_transaction) return {};
  switch (format_of(ctx, script)) {
    case sql::Format::kGoose:
      return "goose";
    case sql::Format::kFlyway:
      return "Flyway";
    case sql::Format::kDirectory:
      return "the migration tool";
    case sql::Format::kPlain:
    case sql::Format::kGolangMigrate:
      break;
  }
  return {};
}

std::vector<TransactionEvent> transaction_events(const Context& ctx, const sql::Script& script) {
  std::vector<TransactionEvent> events;
  bool tool_open = !wrapping_tool(ctx, script).empty();
  const sql::Statement* open = nullptr;  // the script's own BEGIN, while its block is open
  for (const sql::Statement& st : script.statements) {
    if (st.tag() != "TransactionStmt") continue;
    std::string_view kind = st.body()["kind"].str();
    if (kind == "TRANS_STMT_BEGIN" || kind == "TRANS_STMT_START") {
      if (open != nullptr) {
        events.push_back({TransactionEvent::Kind::kBeginInsideBegin, &st, open});
      } else if (tool_open) {
        events.push_back({TransactionEvent::Kind::kBeginInsideTool, &st, nullptr});
      } else {
        open = &st;
      }
    } else if (kind == "TRANS_STMT_COMMIT" || kind == "TRANS_STMT_ROLLBACK" || kind == "TRANS_STMT_PREPARE") {
      // COMMIT AND CHAIN / ROLLBACK AND CHAIN start a new transaction at once.
      if (st.body()["chain"].boolean()) continue;
      if (open != nullptr) {
        open = nullptr;
      } else {
        tool_open = false;  // ends the tool's transaction early (or warns: none in progress)
      }
    }
  }
  if (open != nullptr) events.push_back({TransactionEvent::Kind::kNeverEnded, open, nullptr});
  return events;
}

}  // namespace schemagate::gates::txn
