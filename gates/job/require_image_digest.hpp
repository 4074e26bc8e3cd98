#pragma once
#include "gates/gate.hpp"

namespace schemagate::gates::job {

// A migration Job should run images pinned by digest, so the reviewed Job runs the reviewed code.
class RequireImageDigest final : public Gate {
 public:
  const GateInfo& info() const override;
  void evaluate(const Context& ctx, Reporter& out) const override;
};

}  // namespace schemagate::gates::job
