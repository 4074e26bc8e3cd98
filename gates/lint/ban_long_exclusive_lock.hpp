#pragma once
#include "gates/gate.hpp"

namespace schemagate::gates::lint {

// An ACCESS EXCLUSIVE lock taken inside a transaction stays held while later statements run.
class BanLongExclusiveLock final : public Gate {
 public:
  const GateInfo& info() const override;
  void evaluate(const Context& ctx, Reporter& out) const override;
};

}  // namespace schemagate::gates::lint
