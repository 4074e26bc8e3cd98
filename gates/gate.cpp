#include "gates/gate.hpp"

#include <sstream>

#include "gates/common/text.hpp"
#include "gates/sql/migration.hpp"

namespace schemagate::gates {

std::string_view severity_name(Severity s) {
  switch (s) {
    case Severity::kOff:
      return "off";
    case Severity::kInfo:
      return "info";
    case Severity::kWarning:
      return "warning";
    case Severity::kError:
      return "error";
  }
  return "off";
}

std::optional<Severity> parse_severity(std::string_view s) {
  if (s == "error" || s == "deny") return Severity::kError;
  if (s == "warning" || s == "warn") return Severity::kWarning;
  if (s == "info") return Severity::kInfo;
  if (s == "off") return Severity::kOff;
  return std::nullopt;
}

std::string_view category_name(Category c) {
  switch (c) {
    case Category::kLint:
      return "lint";
    case Category::kTenancy:
      return "tenancy";
    case Category::kConcurrency:
      return "concurrency";
    case Category::kRollback:
      return "rollback";
    case Category::kJob:
      return "job";
  }
  return "lint";
}

std::string Location::display() const {
  if (line == 0) return source;
  return source + ":" + std::to_string(line) + ":" + std::to_string(column);
}

const std::string& Options::get(std::string_view name) const {
  static const std::string kEmpty;
  auto it = values_.find(name);
  return it == values_.end() ? kEmpty : it->second;
}

long long Options::get_int(std::string_view name) const {
  const std::string& v = get(name);
  try {
    return v.empty() ? 0 : std::stoll(v);
  } catch (...) {
    return 0;  // validated when the policy is loaded; unreachable for checked input
  }
}

bool Options::get_bool(std::string_view name) const {
  const std::string& v = get(name);
  return v == "true" || v == "yes" || v == "1" || v == "on";
}

std::vector<std::string> Options::get_list(std::string_view name) const {
  return text::split_list(get(name));
}

Finding& Reporter::report(Location where, std::string message, std::string help) {
  Finding f;
  f.gate_id = info_.id;
  f.severity = info_.default_severity;
  f.message = std::move(message);
  f.help = std::move(help);
  f.location = std::move(where);
  out_.push_back(std::move(f));
  return out_.back();
}

Finding& Reporter::report(const sql::Script& script, const sql::Statement& statement, std::string message,
                          std::string help) {
  return report_at(script, statement, statement.offset, std::move(message), std::move(help));
}

Finding& Reporter::report_at(const sql::Script& script, const sql::Statement& statement, std::uint32_t offset,
                             std::string message, std::string help) {
  sql::Position p = script.source->position(offset);
  Location where{script.source->name(), p.line, p.column, static_cast<int>(statement.index)};
  Finding& f = report(std::move(where), std::move(message), std::move(help));
  f.script = &script;
  return f;
}

}  // namespace schemagate::gates
