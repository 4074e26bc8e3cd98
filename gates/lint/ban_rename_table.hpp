#pragma once
#include "gates/common/statement_gate.hpp"

namespace schemagate::gates::lint {

// Renaming a table (or moving it to another schema) breaks code that uses the old name.
class BanRenameTable final : public StatementGate {
 public:
  const GateInfo& info() const override;

 protected:
  void check(const Context& ctx, const sql::Script& script, const sql::Statement& st,
             Reporter& out) const override;
};

}  // namespace schemagate::gates::lint
