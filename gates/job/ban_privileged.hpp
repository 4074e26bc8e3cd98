#pragma once
#include "gates/gate.hpp"

namespace schemagate::gates::job {

// A migration Job must not run privileged containers or share the node's namespaces.
class BanPrivileged final : public Gate {
 public:
  const GateInfo& info() const override;
  void evaluate(const Context& ctx, Reporter& out) const override;
};

}  // namespace schemagate::gates::job
