#pragma once
#include "gates/common/statement_gate.hpp"

namespace schemagate::gates::lint {

// Names longer than 63 bytes are silently truncated by PostgreSQL.
class MaxIdentifierLength final : public StatementGate {
 public:
  const GateInfo& info() const override;

 protected:
  void check(const Context& ctx, const sql::Script& script, const sql::Statement& st,
             Reporter& out) const override;
};

}  // namespace schemagate::gates::lint
