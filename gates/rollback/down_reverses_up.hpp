#pragma once
#include "gates/gate.hpp"

namespace schemagate::gates::rollback {

// A down migration that does not undo its up leaves the schema half rolled back.
class DownReversesUp final : public Gate {
 public:
  const GateInfo& info() const override;
  void evaluate(const Context& ctx, Reporter& out) const override;
};

}  // namespace schemagate::gates::rollback
