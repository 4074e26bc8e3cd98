#pragma once
#include "gates/gate.hpp"

namespace schemagate::gates::rollback {

// An up migration without its down migration cannot be rolled back by the tool.
class RequireDownMigration final : public Gate {
 public:
  const GateInfo& info() const override;
  void evaluate(const Context& ctx, Reporter& out) const override;
};

}  // namespace schemagate::gates::rollback
