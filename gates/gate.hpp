// The gate interface (ARCHITECTURE.md §3). A gate is stateless and const: one
// instance serves every thread. It reports through a Reporter that stamps its id on
// every finding, so a gate cannot report under another gate's name.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace schemagate::sql {
struct Script;
struct Statement;
}  // namespace schemagate::sql

namespace schemagate::gates {

enum class Severity : std::uint8_t { kOff, kInfo, kWarning, kError };
std::string_view severity_name(Severity s);
// "error" | "warning" | "info" | "off" (also "deny" and "warn").
std::optional<Severity> parse_severity(std::string_view s);

enum class Category : std::uint8_t { kLint, kTenancy, kConcurrency, kRollback, kJob };
std::string_view category_name(Category c);

struct Location {
  std::string source;  // a file path, configmap/<name>/<key>, or a Job field path
  std::uint32_t line = 0;
  std::uint32_t column = 0;
  int statement = -1;  // index of the statement in its script

  // "source:line:col", or "source" when there is no position.
  std::string display() const;
};

struct Finding {
  std::string gate_id;
  Severity severity = Severity::kError;
  std::string message;             // the risk, one sentence, names the object and the lock
  std::string help;                // the fix, one sentence
  std::vector<std::string> steps;  // numbered safe steps with the user's own names
  Location location;
  std::string approval;  // reason, when an approval annotation covered it

  // Engine bookkeeping, not part of the output.
  const sql::Script* script = nullptr;
  int script_index = -1;  // position of `script` in the set's scripts() (cached findings)
};

struct OptionSpec {
  enum class Type : std::uint8_t { kBool, kInt, kString, kStringList };
  std::string name;
  Type type = Type::kString;
  std::string default_value;  // as written in YAML; lists comma-separated
  std::string description;
};

struct GateInfo {
  std::string id;       // <category>.<kebab-name>
  std::string summary;  // one sentence, word for word as in the doc's first line
  Category category = Category::kLint;
  Severity default_severity = Severity::kError;
  std::vector<OptionSpec> options;
};

// A gate's options after policy overrides, typed on read.
class Options {
 public:
  Options() = default;
  explicit Options(const std::map<std::string, std::string>& values)
      : values_(values.begin(), values.end()) {}
  const std::string& get(std::string_view name) const;
  long long get_int(std::string_view name) const;
  bool get_bool(std::string_view name) const;
  std::vector<std::string> get_list(std::string_view name) const;

 private:
  std::map<std::string, std::string, std::less<>> values_;
};

class Reporter {
 public:
  Reporter(const GateInfo& info, const Options& options, std::vector<Finding>& out)
      : info_(info), options_(options), out_(out) {}

  const Options& options() const { return options_; }
  const GateInfo& info() const { return info_; }

  // A finding at an arbitrary location (Job fields, whole files).
  Finding& report(Location where, std::string message, std::string help);
  // A finding at a statement: location is its first token.
  Finding& report(const sql::Script& script, const sql::Statement& statement, std::string message,
                  std::string help);
  // A finding at a byte offset inside a statement of a script (e.g. a column name).
  Finding& report_at(const sql::Script& script, const sql::Statement& statement, std::uint32_t offset,
                     std::string message, std::string help);

 private:
  const GateInfo& info_;
  const Options& options_;
  std::vector<Finding>& out_;
};

class Context;

class Gate {
 public:
  virtual ~Gate() = default;
  virtual const GateInfo& info() const = 0;
  virtual void evaluate(const Context& ctx, Reporter& out) const = 0;
};

}  // namespace schemagate::gates
