#pragma once
#include "gates/common/statement_gate.hpp"

namespace schemagate::gates::lint {

// ALTER TYPE ... ADD VALUE without BEFORE or AFTER puts the value last in the enum's sort order.
class BanEnumAddValueUnordered final : public StatementGate {
 public:
  const GateInfo& info() const override;

 protected:
  void check(const Context& ctx, const sql::Script& script, const sql::Statement& st,
             Reporter& out) const override;
};

}  // namespace schemagate::gates::lint
