#pragma once
#include "gates/gate.hpp"

namespace schemagate::gates::job {

// A migration Job must set spec.activeDeadlineSeconds so a stuck migration is stopped.
class RequireActiveDeadline final : public Gate {
 public:
  const GateInfo& info() const override;
  void evaluate(const Context& ctx, Reporter& out) const override;
};

}  // namespace schemagate::gates::job
