#pragma once
#include "gates/gate.hpp"

namespace schemagate::gates::job {

// A migration Job must give its migrations a lock_timeout and a statement_timeout.
class RequireTimeouts final : public Gate {
 public:
  const GateInfo& info() const override;
  void evaluate(const Context& ctx, Reporter& out) const override;
};

}  // namespace schemagate::gates::job
