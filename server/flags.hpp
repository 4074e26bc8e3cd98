// Minimal flag parsing for the subcommands. Usage errors throw UsageError (start-up
// only); main turns it into exit code 2.
#pragma once

#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace schemagate::server {

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class Flags {
 public:
  // `with_value`: flags that take a value (--x v or --x=v); `repeatable` ones may
  // appear several times; `switches`: boolean flags. Anything else starting with
  // '-' is an error; the rest are positional.
  Flags(const std::vector<std::string>& args, const std::vector<std::string>& with_value,
        const std::vector<std::string>& switches = {});

  std::optional<std::string> get(const std::string& name) const;
  std::string get_or(const std::string& name, const std::string& fallback) const;
  std::vector<std::string> all(const std::string& name) const;
  bool has(const std::string& name) const;
  const std::vector<std::string>& positional() const { return positional_; }

 private:
  std::multimap<std::string, std::string> values_;
  std::vector<std::string> positional_;
};

}  // namespace schemagate::server
