#pragma once
#include "gates/common/statement_gate.hpp"

namespace schemagate::gates::lint {

// CLUSTER rewrites the table under an ACCESS EXCLUSIVE lock that blocks all reads and writes.
class BanCluster final : public StatementGate {
 public:
  const GateInfo& info() const override;

 protected:
  void check(const Context& ctx, const sql::Script& script, const sql::Statement& st,
             Reporter& out) const override;
};

}  // namespace schemagate::gates::lint
