#pragma once
#include "gates/gate.hpp"

namespace schemagate::gates::rollback {

// An up migration that destroys data cannot be undone by any down migration.
class IrreversibleChange final : public Gate {
 public:
  const GateInfo& info() const override;
  void evaluate(const Context& ctx, Reporter& out) const override;
};

}  // namespace schemagate::gates::rollback
