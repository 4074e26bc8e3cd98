#pragma once
#include "gates/common/statement_gate.hpp"

namespace schemagate::gates::lint {

// ALTER TYPE ... ADD VALUE inside a transaction fails before PostgreSQL 12, and its value is unusable until
// commit after.
class BanEnumAddValueInTransaction final : public StatementGate {
 public:
  const GateInfo& info() const override;

 protected:
  void check(const Context& ctx, const sql::Script& script, const sql::Statement& st,
             Reporter& out) const override;
};

}  // namespace schemagate::gates::lint
