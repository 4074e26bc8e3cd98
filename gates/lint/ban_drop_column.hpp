#pragma once
#include "gates/common/statement_gate.hpp"

namespace schemagate::gates::lint {

// ALTER TABLE ... DROP COLUMN breaks clients that still read or write the column.
class BanDropColumn final : public StatementGate {
 public:
  const GateInfo& info() const override;

 protected:
  void check(const Context& ctx, const sql::Script& script, const sql::Statement& st,
             Reporter& out) const override;
};

}  // namespace schemagate::gates::lint
