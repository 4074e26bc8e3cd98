#pragma once
#include "gates/common/statement_gate.hpp"

namespace schemagate::gates::lint {

// ALTER COLUMN TYPE rewrites the table and its indexes under an ACCESS EXCLUSIVE lock unless the new type is
// binary coercible.
class BanColumnTypeChange final : public StatementGate {
 public:
  const GateInfo& info() const override;

 protected:
  void check(const Context& ctx, const sql::Script& script, const sql::Statement& st,
             Reporter& out) const override;
};

}  // namespace schemagate::gates::lint
