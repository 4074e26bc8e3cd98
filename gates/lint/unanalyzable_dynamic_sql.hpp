#pragma once
#include "gates/gate.hpp"

namespace schemagate::gates::lint {

// SQL that a DO block builds at run time cannot be checked by any gate, so it is reported.
class UnanalyzableDynamicSql final : public Gate {
 public:
  const GateInfo& info() const override;
  void evaluate(const Context& ctx, Reporter& out) const override;
};

}  // namespace schemagate::gates::lint
