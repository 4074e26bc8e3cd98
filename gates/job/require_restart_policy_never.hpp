#pragma once
#include "gates/gate.hpp"

namespace schemagate::gates::job {

// A migration Job's pod must use restartPolicy Never so a failed migration is not rerun in place.
class RequireRestartPolicyNever final : public Gate {
 public:
  const GateInfo& info() const override;
  void evaluate(const Context& ctx, Reporter& out) const override;
};

}  // namespace schemagate::gates::job
