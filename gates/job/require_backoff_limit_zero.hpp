#pragma once
#include "gates/gate.hpp"

namespace schemagate::gates::job {

// A migration Job must not be retried: spec.backoffLimit must be 0 (or the policy's maximum).
class RequireBackoffLimitZero final : public Gate {
 public:
  const GateInfo& info() const override;
  void evaluate(const Context& ctx, Reporter& out) const override;
};

}  // namespace schemagate::gates::job
