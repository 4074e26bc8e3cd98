#pragma once
#include "gates/common/statement_gate.hpp"

namespace schemagate::gates::lint {

// A statement that waits for a lock blocking reads or writes needs a lock_timeout, or the lock queue blocks
// the table.
class RequireLockTimeout final : public Gate {
 public:
  const GateInfo& info() const override;
  void evaluate(const Context& ctx, Reporter& out) const override;
};

}  // namespace schemagate::gates::lint
