#pragma once
#include "gates/gate.hpp"

namespace schemagate::gates::lint {

// SQL a Go migration builds at run time cannot be checked by any gate.
class UnanalyzableGoSql final : public Gate {
 public:
  const GateInfo& info() const override;
  void evaluate(const Context& ctx, Reporter& out) const override;
};

}  // namespace schemagate::gates::lint
