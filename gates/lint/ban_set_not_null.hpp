#pragma once
#include "gates/common/statement_gate.hpp"

namespace schemagate::gates::lint {

// SET NOT NULL scans the whole table under an ACCESS EXCLUSIVE lock.
class BanSetNotNull final : public StatementGate {
 public:
  const GateInfo& info() const override;

 protected:
  void check(const Context& ctx, const sql::Script& script, const sql::Statement& st,
             Reporter& out) const override;
};

}  // namespace schemagate::gates::lint
