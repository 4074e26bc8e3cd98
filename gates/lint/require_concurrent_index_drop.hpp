#pragma once
#include "gates/common/statement_gate.hpp"

namespace schemagate::gates::lint {

// DROP INDEX without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on the index's table.
class RequireConcurrentIndexDrop final : public StatementGate {
 public:
  const GateInfo& info() const override;

 protected:
  void check(const Context& ctx, const sql::Script& script, const sql::Statement& st,
             Reporter& out) const override;
};

}  // namespace schemagate::gates::lint
