// Helpers shared by gates. Not a gate family (the registry check skips common/).
#pragma once

#include <string>
#include <string_view>

#include "gates/context.hpp"
#include "gates/gate.hpp"
#include "gates/sql/migration.hpp"

namespace schemagate::gates {

// A gate that looks at statements one at a time, in every script (down migrations
// are linted like up migrations).
class StatementGate : public Gate {
 public:
  void evaluate(const Context& ctx, Reporter& out) const override {
    for (const sql::Script* script : ctx.scripts()) {
      for (const sql::Statement& st : script->statements)
        check(ctx, *script, st, out);
    }
  }

 protected:
  virtual void check(const Context& ctx, const sql::Script& script, const sql::Statement& st,
                     Reporter& out) const = 0;
};

// Quotes an identifier for SQL shown in help text when it needs quoting.
std::string quote_ident(std::string_view name);
// "public.orders" / "orders", quoted where needed.
std::string display_relation(const sql::RelationName& r);
// The lock a statement takes on `r`, in words: "ACCESS EXCLUSIVE lock on orders".
std::string lock_phrase(sql::LockMode mode, const sql::RelationName& r);

}  // namespace schemagate::gates
