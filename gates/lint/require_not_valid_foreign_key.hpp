#pragma once
#include "gates/common/statement_gate.hpp"

namespace schemagate::gates::lint {

// ADD FOREIGN KEY without NOT VALID checks every row while blocking writes to both tables.
class RequireNotValidForeignKey final : public StatementGate {
 public:
  const GateInfo& info() const override;

 protected:
  void check(const Context& ctx, const sql::Script& script, const sql::Statement& st,
             Reporter& out) const override;
};

}  // namespace schemagate::gates::lint
