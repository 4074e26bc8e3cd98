#include "gates/lint/duplicate_migration_version.hpp"

#include <map>

#include "gates/context.hpp"

namespace schemagate::gates::lint {

const GateInfo& DuplicateMigrationVersion::info() const {
  static const GateInfo kInfo{
      "lint.duplicate-migration-version",
      "Two migrations with one version in one folder: the migration tool refuses to run them.",
      Category::kLint,
      Severity::kError,
      {}};
  return kInfo;
}

namespace {

const sql::Script& first_script(const sql::Migration& m) {
  return m.up ? *m.up : *m.down;
}

// The file as a reader finds it: "5_add_notes.up.sql", or "5_add_notes/up.sql" for a folder.
std::string display(const sql::Migration& m) {
  const std::string& path = first_script(m).source->name();
  std::size_t slash = path.find_last_of('/');
  if (m.format == sql::Format::kDirectory && slash != std::string::npos && slash > 0)
    slash = path.find_last_of('/', slash - 1);
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// What the tool does with the set, from its own error (golang-migrate: "duplicate migration file",
// goose: "duplicate version", Flyway: "Found more than one migration with version").
std::string consequence(sql::Format format) {
  switch (format) {
    case sql::Format::kGolangMigrate:
      return "golang-migrate refuses to run a folder in which two migrations share a version";
    case sql::Format::kGoose:
      return "goose refuses to run a folder in which two migrations share a version";
    case sql::Format::kFlyway:
      return "Flyway refuses to migrate when two migrations share a version";
    case sql::Format::kDirectory:
    case sql::Format::kPlain:
      break;
  }
  return "the migration tool records applied migrations by version, so one of them is refused or never runs";
}

}  // namespace

void DuplicateMigrationVersion::evaluate(const Context& ctx, Reporter& out) const {
  if (ctx.migrations == nullptr) return;
  // Plain files have no version of their own (Prisma's folders are ordered, not keyed, by it).
  std::map<std::string, const sql::Migration*> first;
  for (const sql::Migration& m : ctx.migrations->migrations) {
    if (m.format == sql::Format::kPlain || (!m.up && !m.down)) continue;
    std::string key = std::string(sql::format_name(m.format)) + '\x1f' + m.directory + '\x1f' +
                      sql::normalized_version(m.version);
    auto [it, inserted] = first.emplace(std::move(key), &m);
    if (inserted) continue;
    const sql::Migration& other = *it->second;
    std::string self = display(m);
    out.report(Location{first_script(m).source->name(), 1, 1, -1},
               "Version " + m.version + " of " + self + " is also the version of " + display(other) + ": " +
                   consequence(m.format) + ".",
               "Give " + self + (m.up && m.down && m.format != sql::Format::kGoose ? " and its down" : "") +
                   " the next free version.");
  }
}

}  // namespace schemagate::gates::lint
