#pragma once
#include "gates/gate.hpp"

namespace schemagate::gates::concurrency {

// A migration Job is denied while its namespace carries the schemagate.io/freeze annotation.
class NamespaceFreeze final : public Gate {
 public:
  const GateInfo& info() const override;
  void evaluate(const Context& ctx, Reporter& out) const override;
};

}  // namespace schemagate::gates::concurrency
