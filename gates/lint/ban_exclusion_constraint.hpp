#pragma once
#include "gates/common/statement_gate.hpp"

namespace schemagate::gates::lint {

// ADD EXCLUDE builds its index under an ACCESS EXCLUSIVE lock and cannot be built concurrently.
class BanExclusionConstraint final : public StatementGate {
 public:
  const GateInfo& info() const override;

 protected:
  void check(const Context& ctx, const sql::Script& script, const sql::Statement& st,
             Reporter& out) const override;
};

}  // namespace schemagate::gates::lint
