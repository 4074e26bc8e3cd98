#include "server/flags.hpp"

#include <algorithm>

namespace schemagate::server {

Flags::Flags(const std::vector<std::string>& args, const std::vector<std::string>& with_value,
             const std::vector<std::string>& switches) {
  auto takes_value = [&](const std::string& n) {
    return std::find(with_value.begin(), with_value.end(), n) != with_value.end();
  };
  auto is_switch = [&](const std::string& n) {
    return std::find(switches.begin(), switches.end(), n) != switches.end();
  };
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--") {
      positional_.insert(positional_.end(), args.begin() + static_cast<std::ptrdiff_t>(i) + 1, args.end());
      break;
    }
    if (a.size() < 2 || a[0] != '-') {
      positional_.push_back(a);
      continue;
    }
    std::string name = a;
    std::optional<std::string> value;
    if (auto eq = a.find('='); eq != std::string::npos) {
      name = a.substr(0, eq);
      value = a.substr(eq + 1);
    }
    if (is_switch(name)) {
      if (value) throw UsageError(name + " takes no value");
      values_.emplace(name, "true");
    } else if (takes_value(name)) {
      if (!value) {
        if (i + 1 >= args.size()) throw UsageError(name + " needs a value");
        value = args[++i];
      }
      values_.emplace(name, *value);
    } else {
      throw UsageError("unknown flag " + name);
    }
  }
}

std::optional<std::string> Flags::get(const std::string& name) const {
  auto range = values_.equal_range(name);
  if (range.first == range.second) return std::nullopt;
  return std::prev(range.second)->second;  // the last one wins
}

std::string Flags::get_or(const std::string& name, const std::string& fallback) const {
  return get(name).value_or(fallback);
}

std::vector<std::string> Flags::all(const std::string& name) const {
  std::vector<std::string> out;
  auto range = values_.equal_range(name);
  for (auto it = range.first; it != range.second; ++it)
    out.push_back(it->second);
  return out;
}

bool Flags::has(const std::string& name) const {
  return values_.count(name) > 0;
}

}  // namespace schemagate::server
