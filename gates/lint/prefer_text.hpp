#pragma once
#include "gates/common/statement_gate.hpp"

namespace schemagate::gates::lint {

// varchar(n) columns need an ALTER TABLE under ACCESS EXCLUSIVE to change n; text with a CHECK does not.
class PreferText final : public StatementGate {
 public:
  const GateInfo& info() const override;

 protected:
  void check(const Context& ctx, const sql::Script& script, const sql::Statement& st,
             Reporter& out) const override;
};

}  // namespace schemagate::gates::lint
