#pragma once
#include "gates/gate.hpp"

namespace schemagate::gates::lint {

// Two transactions lock the same two tables in opposite orders.
class DeadlockLockOrder final : public Gate {
 public:
  const GateInfo& info() const override;
  void evaluate(const Context& ctx, Reporter& out) const override;
};

}  // namespace schemagate::gates::lint
