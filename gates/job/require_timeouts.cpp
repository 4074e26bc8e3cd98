#include "gates/job/require_timeouts.hpp"

#include <algorithm>
#include <array>
#include <cctype>

#include "gates/common/job_fields.hpp"
#include "gates/context.hpp"
#include "gates/sql/migration.hpp"

namespace schemagate::gates::job {
namespace {

constexpr std::array<std::string_view, 2> kSettings = {"lock_timeout", "statement_timeout"};

// 0 turns a timeout off (PostgreSQL docs, §20.11.1): "0", "0s", "0ms" set nothing.
bool enables_timeout(std::string_view value) {
  std::size_t i = 0;
  while (i < value.size() && (value[i] == '\'' || value[i] == ' '))
    ++i;
  for (; i < value.size() && (std::isdigit(static_cast<unsigned char>(value[i])) != 0 || value[i] == '.');
       ++i) {
    if (value[i] >= '1' && value[i] <= '9') return true;
  }
  return false;
}

// The value a `SET name = value` statement gives, or nullopt when it is another statement.
std::optional<std::string> set_value(const sql::Statement& st, std::string_view name) {
  if (st.tag() != "VariableSetStmt") return std::nullopt;
  sql::Node body = st.body();
  if (body["kind"].str() != "VAR_SET_VALUE" || body["name"].str() != name) return std::nullopt;
  sql::Node arg = body["args"].at(0);
  sql::Node c = arg.tag() == "A_Const" ? arg.body() : sql::Node{};
  if (c["ival"].is_object()) return std::to_string(c["ival"]["ival"].integer(0));
  if (c["sval"].is_object()) return std::string(c["sval"]["sval"].str());
  return std::string();
}

// Whether the script sets `name` to a non-zero value before its first statement that
// locks a relation (SET at the top). A SET after it is too late for that statement.
bool script_sets(const sql::Script& script, std::string_view name) {
  for (const sql::Statement& st : script.statements) {
    if (auto v = set_value(st, name)) return enables_timeout(*v);
    if (!st.facts.locks.empty()) return false;
  }
  return false;
}

std::string join_and(const std::vector<std::string>& items) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += i + 1 == items.size() ? " and " : ", ";
    out += items[i];
  }
  return out;
}

}  // namespace

const GateInfo& RequireTimeouts::info() const {
  static const GateInfo kInfo{
      "job.require-timeouts",
      "A migration Job must give its migrations a lock_timeout and a statement_timeout.",
      Category::kJob,
      Severity::kError,
      {}};
  return kInfo;
}

void RequireTimeouts::evaluate(const Context& ctx, Reporter& out) const {
  if (ctx.job == nullptr || !ctx.job->is_migration()) return;
  const Job& job = *ctx.job;
  std::vector<const sql::Script*> ups;
  for (const sql::Script* s : ctx.scripts()) {
    if (s->direction == sql::Direction::kUp) ups.push_back(s);
  }

  std::vector<std::string> missing;
  std::vector<std::string> scripts_without;
  for (std::string_view name : kSettings) {
    auto it = ctx.session_settings.find(std::string(name));
    if (it != ctx.session_settings.end() && enables_timeout(it->second)) continue;
    bool every = !ups.empty();
    for (const sql::Script* s : ups) {
      if (script_sets(*s, name)) continue;
      every = false;
      const std::string& file = s->source->name();
      if (std::find(scripts_without.begin(), scripts_without.end(), file) == scripts_without.end())
        scripts_without.push_back(file);
    }
    if (!every) missing.emplace_back(name);
  }
  if (missing.empty()) return;

  std::string where = "PGOPTIONS does not set " + std::string(missing.size() == 1 ? "it" : "them");
  if (ups.empty()) {
    where += " and no migration SQL is visible to check for SET";
  } else {
    constexpr std::size_t kNamed = 3;
    std::vector<std::string> named(
        scripts_without.begin(),
        scripts_without.begin() + static_cast<std::ptrdiff_t>(std::min(kNamed, scripts_without.size())));
    if (scripts_without.size() > kNamed)
      named.push_back(std::to_string(scripts_without.size() - kNamed) + " more");
    where += ", nor does a SET at the top of " + join_and(named);
  }
  // Point at the env of the container that runs the migration: that is where the fix goes.
  std::size_t index = 0;
  for (std::size_t i = 0; i < job.containers.size(); ++i) {
    Job one;
    one.containers = {job.containers[i]};
    Context probe;
    if (migration_evidence(one, probe)) {
      index = i;
      break;
    }
  }
  out.report(at_field(container_path(false, index) + ".env[PGOPTIONS]"),
             job_title(job) + " runs migrations without " + join_and(missing) + ": " + where +
                 ", so one statement waiting for a lock can stall every query behind it.",
             "Set them for every connection of the migration container: PGOPTIONS: \"-c lock_timeout=5s -c "
             "statement_timeout=15min\" (or SET both at the top of every up migration).");
}

}  // namespace schemagate::gates::job
