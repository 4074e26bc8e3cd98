#pragma once
#include "gates/common/statement_gate.hpp"

namespace schemagate::gates::lint {

// DROP TABLE of a table that existed before the migration deletes its data and breaks running code.
class BanDropTable final : public StatementGate {
 public:
  const GateInfo& info() const override;

 protected:
  void check(const Context& ctx, const sql::Script& script, const sql::Statement& st,
             Reporter& out) const override;
};

}  // namespace schemagate::gates::lint
