#pragma once
#include "gates/common/statement_gate.hpp"

namespace schemagate::gates::lint {

// serial columns create loosely attached sequences; identity columns are the standard replacement.
class PreferIdentity final : public StatementGate {
 public:
  const GateInfo& info() const override;

 protected:
  void check(const Context& ctx, const sql::Script& script, const sql::Statement& st,
             Reporter& out) const override;
};

}  // namespace schemagate::gates::lint
