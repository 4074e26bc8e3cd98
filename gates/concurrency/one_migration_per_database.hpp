#pragma once
#include "gates/gate.hpp"

namespace schemagate::gates::concurrency {

// A migration Job is denied while another migration Job for the same tenant database has not finished.
class OneMigrationPerDatabase final : public Gate {
 public:
  const GateInfo& info() const override;
  void evaluate(const Context& ctx, Reporter& out) const override;
};

}  // namespace schemagate::gates::concurrency
