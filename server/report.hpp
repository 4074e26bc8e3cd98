// Output formats of `schemagate check` (ARCHITECTURE.md §7): compiler-style text,
// JSON with statements[] and their lock facts, SARIF 2.1.0, GitHub annotations.
#pragma once

#include <string>

#include "gates/registry.hpp"
#include "gates/sql/migration.hpp"
#include "gates/verdict.hpp"

namespace schemagate::server {

enum class ReportFormat { kText, kJson, kSarif, kGithub };
bool parse_report_format(const std::string& s, ReportFormat& out);

std::string render_text(const gates::Verdict& v, const sql::MigrationSet* set);
std::string render_json(const gates::Verdict& v, const sql::MigrationSet* set);
std::string render_sarif(const gates::Verdict& v, const gates::Registry& registry);
std::string render_github(const gates::Verdict& v);

std::string render(ReportFormat f, const gates::Verdict& v, const sql::MigrationSet* set,
                   const gates::Registry& registry);

}  // namespace schemagate::server
