#pragma once
#include "gates/gate.hpp"

namespace schemagate::gates::lint {

// A schemagate:ignore comment that suppresses nothing, or gives no reason, is reported.
class UnusedSuppression final : public Gate {
 public:
  const GateInfo& info() const override;
  void evaluate(const Context& ctx, Reporter& out) const override;
};

}  // namespace schemagate::gates::lint
