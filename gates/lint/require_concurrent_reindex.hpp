#pragma once
#include "gates/common/statement_gate.hpp"

namespace schemagate::gates::lint {

// REINDEX without CONCURRENTLY blocks writes to the table, and reads that use its indexes.
class RequireConcurrentReindex final : public StatementGate {
 public:
  const GateInfo& info() const override;

 protected:
  void check(const Context& ctx, const sql::Script& script, const sql::Statement& st,
             Reporter& out) const override;
};

}  // namespace schemagate::gates::lint
