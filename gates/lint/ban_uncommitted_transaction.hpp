#pragma once
#include "gates/common/statement_gate.hpp"

namespace schemagate::gates::lint {

// A BEGIN that the script never commits or rolls back leaves its work pending until the session ends.
class BanUncommittedTransaction final : public Gate {
 public:
  const GateInfo& info() const override;
  void evaluate(const Context& ctx, Reporter& out) const override;
};

}  // namespace schemagate::gates::lint
