// Explicit transaction control (BEGIN / COMMIT / ROLLBACK) in a script, as
// PostgreSQL runs it under each migration tool. Shared by the transaction gates.
//
// PostgreSQL docs, BEGIN: "Issuing BEGIN when already inside a transaction block will
// provoke a warning message. The state of the transaction is not affected." So an
// inner BEGIN starts nothing and the first COMMIT ends the whole block. And §55.2.2.1
// "Multiple Statements in a Simple Query": a BEGIN in a multi-statement query turns
// its implicit block into a regular one, which stays open after the query if nothing
// commits it.
#pragma once

#include <string_view>
#include <vector>

#include "gates/context.hpp"

namespace schemagate::gates::txn {

// The migration format a script belongs to (kPlain when not found).
sql::Format format_of(const Context& ctx, const sql::Script& script);

// The tool that wraps the script in an explicit transaction of its own ("goose",
// "Flyway"), or "" when no tool-owned BEGIN ... COMMIT surrounds it. golang-migrate's
// implicit block does not count: a BEGIN there is how one takes control of it.
std::string_view wrapping_tool(const Context& ctx, const sql::Script& script);

struct TransactionEvent {
  enum class Kind : std::uint8_t {
    kBeginInsideBegin,  // BEGIN while a BEGIN of the script is open
    kBeginInsideTool,   // BEGIN inside the tool's own transaction
    kNeverEnded,        // a BEGIN whose transaction is still open at the end of the script
  };
  Kind kind;
  const sql::Statement* statement = nullptr;  // the BEGIN concerned
  const sql::Statement* outer = nullptr;      // kBeginInsideBegin: the BEGIN that is open
};

std::vector<TransactionEvent> transaction_events(const Context& ctx, const sql::Script& script);

}  // namespace schemagate::gates::txn
