// Parsing of `schemagate plan`'s wave and namespace-selector flags.
#include <string>
#include <vector>

#include "server/plan.hpp"

namespace schemagate::server {
namespace {

std::string trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return std::string(s);
}

std::vector<std::string> split(std::string_view s, char sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= s.size()) {
    std::size_t end = s.find(sep, start);
    if (end == std::string_view::npos) end = s.size();
    std::string item = trim(s.substr(start, end - start));
    if (!item.empty()) out.push_back(item);
    start = end + 1;
  }
  return out;
}

}  // namespace

bool parse_waves(std::string_view text, WaveSpec& out, std::string& error) {
  for (const auto& part : split(text, ',')) {
    std::size_t eq = part.find('=');
    std::string key = trim(part.substr(0, eq));
    std::string value = eq == std::string::npos ? "" : trim(part.substr(eq + 1));
    int n = -1;
    try {
      std::size_t used = 0;
      n = std::stoi(value, &used);
      if (used != value.size()) n = -1;
    } catch (...) {
      n = -1;
    }
    if (key == "canary" && n >= 0) {
      out.canary = n;
    } else if (key == "batch" && n >= 1) {
      out.batch = n;
    } else {
      error = "--waves takes canary=N (N >= 0) and batch=N (N >= 1), comma-separated; got '" + part + "'";
      return false;
    }
  }
  return true;
}

bool LabelSelector::matches(const std::map<std::string, std::string, std::less<>>& labels) const {
  for (const Term& t : terms) {
    auto it = labels.find(t.key);
    bool has = it != labels.end();
    switch (t.op) {
      case Term::Op::kEq:
        if (!has || it->second != t.value) return false;
        break;
      case Term::Op::kNotEq:
        if (has && it->second == t.value) return false;
        break;
      case Term::Op::kExists:
        if (!has) return false;
        break;
      case Term::Op::kNotExists:
        if (has) return false;
        break;
    }
  }
  return true;
}

bool parse_label_selector(std::string_view text, LabelSelector& out, std::string& error) {
  out.terms.clear();
  for (const auto& part : split(text, ',')) {
    LabelSelector::Term t;
    if (std::size_t ne = part.find("!="); ne != std::string::npos) {
      t = {trim(part.substr(0, ne)), LabelSelector::Term::Op::kNotEq, trim(part.substr(ne + 2))};
    } else if (std::size_t eq = part.find('='); eq != std::string::npos) {
      std::size_t skip = part.compare(eq, 2, "==") == 0 ? 2 : 1;
      t = {trim(part.substr(0, eq)), LabelSelector::Term::Op::kEq, trim(part.substr(eq + skip))};
    } else if (part.front() == '!') {
      t = {trim(part.substr(1)), LabelSelector::Term::Op::kNotExists, ""};
    } else {
      t = {part, LabelSelector::Term::Op::kExists, ""};
    }
    if (t.key.empty() || t.key.find_first_of(" ()") != std::string::npos) {
      error = "--namespace-selector takes key=value, key!=value, key and !key, comma-separated; got '" +
              part + "'";
      return false;
    }
    out.terms.push_back(std::move(t));
  }
  return true;
}

}  // namespace schemagate::server
