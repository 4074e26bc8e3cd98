#pragma once
#include "gates/gate.hpp"

namespace schemagate::gates::concurrency {

// A migration Job is denied while the cluster already runs the policy's maximum number of migration Jobs.
class MaxConcurrentMigrations final : public Gate {
 public:
  const GateInfo& info() const override;
  void evaluate(const Context& ctx, Reporter& out) const override;
};

}  // namespace schemagate::gates::concurrency
