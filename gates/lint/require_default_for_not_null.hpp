#pragma once
#include "gates/common/statement_gate.hpp"

namespace schemagate::gates::lint {

// ADD COLUMN ... NOT NULL without a DEFAULT fails on a table that has rows, after locking it against all
// reads and writes.
class RequireDefaultForNotNull final : public StatementGate {
 public:
  const GateInfo& info() const override;

 protected:
  void check(const Context& ctx, const sql::Script& script, const sql::Statement& st,
             Reporter& out) const override;
};

}  // namespace schemagate::gates::lint
