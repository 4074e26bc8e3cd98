#include "gates/common/undo.hpp"

#include <algorithm>

#include "gates/common/schema_changes.hpp"

namespace schemagate::gates::undo {

namespace {

using rollback::Change;
using rollback::ObjectKind;

template <typename Pred>
bool up_has(const Context& ctx, const sql::Script& script, Pred pred) {
  const sql::Script* up = own_up(ctx, script);
  if (up == nullptr) return false;
  std::vector<Change> changes = rollback::script_changes(*up);
  return std::any_of(changes.begin(), changes.end(), pred);
}

}  // namespace

const sql::Script* own_up(const Context& ctx, const sql::Script& script) {
  if (ctx.migrations == nullptr || script.direction != sql::Direction::kDown) return nullptr;
  for (const sql::Migration& m : ctx.migrations->migrations) {
    if (m.down && &*m.down == &script) return m.up ? &*m.up : nullptr;
  }
  return nullptr;
}

bool up_created_table(const Context& ctx, const sql::Script& script, const sql::RelationName& table) {
  return up_has(ctx, script, [&](const Change& c) {
    return c.kind == Change::Kind::kCreate && c.object == ObjectKind::kTable && c.name.matches(table);
  });
}

bool up_added_column(const Context& ctx, const sql::Script& script, const sql::RelationName& table,
                     std::string_view column) {
  return up_has(ctx, script, [&](const Change& c) {
    if (c.kind == Change::Kind::kCreate) return c.object == ObjectKind::kTable && c.name.matches(table);
    return c.kind == Change::Kind::kAddColumn && c.table.matches(table) && c.column == column;
  });
}

bool up_created_schema(const Context& ctx, const sql::Script& script, std::string_view name) {
  return up_has(ctx, script, [&](const Change& c) {
    return c.kind == Change::Kind::kCreate && c.object == ObjectKind::kSchema && c.name.name == name;
  });
}

bool up_renamed(const Context& ctx, const sql::Script& script, const sql::RelationName& table,
                std::string_view column, std::string_view from, std::string_view to) {
  return up_has(ctx, script, [&](const Change& c) {
    if (column.empty()) {
      return c.kind == Change::Kind::kRename && c.object == ObjectKind::kTable && c.name.name == to &&
             c.new_name == from &&
             (table.schema.empty() || c.name.schema.empty() || c.name.schema == table.schema);
    }
    return c.kind == Change::Kind::kRenameColumn && c.table.name == table.name && c.column == to &&
           c.new_name == from;
  });
}

}  // namespace schemagate::gates::undo
