#pragma once
#include "gates/common/statement_gate.hpp"

namespace schemagate::gates::lint {

// VALIDATE CONSTRAINT in the transaction that added the constraint NOT VALID keeps the ADD's lock.
class ValidateInSameTransaction final : public StatementGate {
 public:
  const GateInfo& info() const override;

 protected:
  void check(const Context& ctx, const sql::Script& script, const sql::Statement& st,
             Reporter& out) const override;
};

}  // namespace schemagate::gates::lint
