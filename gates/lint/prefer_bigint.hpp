#pragma once
#include "gates/common/statement_gate.hpp"

namespace schemagate::gates::lint {

// integer and smallint columns overflow: ids and counters run out at 2^31.
class PreferBigint final : public StatementGate {
 public:
  const GateInfo& info() const override;

 protected:
  void check(const Context& ctx, const sql::Script& script, const sql::Statement& st,
             Reporter& out) const override;
};

}  // namespace schemagate::gates::lint
