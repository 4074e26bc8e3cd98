#pragma once
#include "gates/common/statement_gate.hpp"

namespace schemagate::gates::lint {

// DELETE or UPDATE without WHERE on an existing table touches every row in one transaction.
class BanUnboundedDml final : public StatementGate {
 public:
  const GateInfo& info() const override;

 protected:
  void check(const Context& ctx, const sql::Script& script, const sql::Statement& st,
             Reporter& out) const override;
};

}  // namespace schemagate::gates::lint
