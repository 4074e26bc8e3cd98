#pragma once
#include "gates/common/statement_gate.hpp"

namespace schemagate::gates::lint {

// BEGIN inside an open transaction starts nothing, and the next COMMIT ends the outer transaction early.
class BanNestedTransaction final : public Gate {
 public:
  const GateInfo& info() const override;
  void evaluate(const Context& ctx, Reporter& out) const override;
};

}  // namespace schemagate::gates::lint
