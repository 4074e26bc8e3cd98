#include "gates/rollback/require_down_migration.hpp"

#include <algorithm>
#include <cctype>

#include "gates/common/schema_changes.hpp"
#include "gates/context.hpp"

namespace schemagate::gates::rollback {

namespace {

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// The down each format expects, as the user would name it.
std::string expected_down(const sql::Migration& m) {
  const std::string& up = m.up->source->name();
  std::string dir = up.substr(0, up.size() - file_base(up).size());
  std::string base = file_base(up);
  switch (m.format) {
    case sql::Format::kGolangMigrate:
      return ends_with(base, ".up.sql") ? dir + base.substr(0, base.size() - 7) + ".down.sql" : up;
    case sql::Format::kFlyway:
      return dir + "U" + base.substr(1);
    case sql::Format::kDirectory:
      return dir + "down.sql";
    case sql::Format::kGoose:
      if (!m.up->go_function.empty()) return "a down function passed to goose.AddMigration in " + up;
      return "a -- +goose Down section in " + up;
    case sql::Format::kPlain:
      break;
  }
  return up;
}

}  // namespace

const GateInfo& RequireDownMigration::info() const {
  static const GateInfo kInfo{
      "rollback.require-down-migration",
      "An up migration without a down migration cannot be rolled back by its migration tool.",
      Category::kRollback,
      Severity::kError,
      {}};
  return kInfo;
}

void RequireDownMigration::evaluate(const Context& ctx, Reporter& out) const {
  if (ctx.migrations == nullptr) return;
  // Undo migrations are a Flyway Teams feature: a set with no U file at all does not use
  // them (Flyway Community cannot undo), so its V files are not asked for one.
  bool flyway_undo =
      std::any_of(ctx.migrations->migrations.begin(), ctx.migrations->migrations.end(),
                  [](const sql::Migration& m) { return m.format == sql::Format::kFlyway && m.down; });
  for (const sql::Migration& m : ctx.migrations->migrations) {
    // Plain files have no down convention; Flyway repeatable migrations are re-run, not undone.
    if (!m.up || m.format == sql::Format::kPlain) continue;
    if (m.format == sql::Format::kFlyway && !flyway_undo) continue;
    if (m.format == sql::Format::kFlyway && file_base(m.up->source->name()).rfind("R__", 0) == 0) continue;
    bool empty = m.down && m.down->statements.empty() && m.down->opaque_sql.empty() && m.down->errors.empty();
    if (m.down && !empty) continue;
    const std::string& up = m.up->source->name();
    std::string expected = expected_down(m);
    std::string message =
        empty ? down_display(m) + " runs no SQL: " + file_base(up) + " cannot be rolled back by the tool."
              : file_base(up) + " has no down migration (" + expected +
                    "): it cannot be rolled back by the tool.";
    if (message.rfind("the ", 0) == 0) message[0] = 'T';  // "the Down section of ..."
    std::string help =
        "Write " + expected + " with the statements that undo " + file_base(up) + ", newest change first.";
    if (empty)
      help = "Write the statements that undo " + file_base(up) + " in " + down_display(m) +
             ", newest change first.";
    if (!m.up->statements.empty()) {
      out.report(*m.up, m.up->statements.front(), std::move(message), std::move(help));
    } else {
      out.report(Location{up, 1, 1, -1}, std::move(message), std::move(help));
    }
  }
}

}  // namespace schemagate::gates::rollback
