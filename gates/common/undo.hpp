// What a down migration undoes of its own up. `DROP TABLE orders` in the down of the
// migration that creates orders is the rollback working as intended, not a
// destructive change: the table, column, schema or name it removes exists only
// because that up ran. Gates that judge destructive changes leave such statements
// to the rollback.* family, which checks that the down undoes the up at all.
#pragma once

#include <string_view>

#include "gates/context.hpp"
#include "gates/sql/migration.hpp"

namespace schemagate::gates::undo {

// The up script of the migration whose down is `script`; nullptr for an up script or
// a script outside the context's set.
const sql::Script* own_up(const Context& ctx, const sql::Script& script);

// `script` is a down whose own up creates `table`.
bool up_created_table(const Context& ctx, const sql::Script& script, const sql::RelationName& table);
// `script` is a down whose own up adds `column` to `table` (or creates `table`).
bool up_added_column(const Context& ctx, const sql::Script& script, const sql::RelationName& table,
                     std::string_view column);
// `script` is a down whose own up creates schema `name`.
bool up_created_schema(const Context& ctx, const sql::Script& script, std::string_view name);
// `script` is a down whose own up renames `to` -> `from` (table, or column of `table`
// when `column` is set): renaming it back is the undo.
bool up_renamed(const Context& ctx, const sql::Script& script, const sql::RelationName& table,
                std::string_view column, std::string_view from, std::string_view to);

}  // namespace schemagate::gates::undo
