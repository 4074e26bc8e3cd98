#pragma once
#include "gates/common/statement_gate.hpp"

namespace schemagate::gates::lint {

// A script that locks existing tables should set a statement_timeout so a slow statement cannot hold its
// locks indefinitely.
class RequireStatementTimeout final : public Gate {
 public:
  const GateInfo& info() const override;
  void evaluate(const Context& ctx, Reporter& out) const override;
};

}  // namespace schemagate::gates::lint
