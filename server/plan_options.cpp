// Parsing of `schemagate plan`'s wave and namespace-selector flags.
#include <string>
#include <vector>

#include "gates/common/text.hpp"
#include "server/plan.hpp"

namespace schemagate::server {
namespace {

std::string trimmed(std::string_view s) {
  return std::string(schemagate::text::trim(s));
}

}  // namespace

bool parse_waves(std::string_view text, WaveSpec& out, std::string& error) {
  for (const auto& part : schemagate::text::split_list(text)) {
    std::size_t eq = part.find('=');
    std::string key = trimmed(part.substr(0, eq));
    std::string value = eq == std::string::npos ? "" : trimmed(part.substr(eq + 1));
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
  for (const auto& part : schemagate::text::split_list(text)) {
    LabelSelector::Term t;
    if (std::size_t ne = part.find("!="); ne != std::string::npos) {
      t = {trimmed(part.substr(0, ne)), LabelSelector::Term::Op::kNotEq, trimmed(part.substr(ne + 2))};
    } else if (std::size_t eq = part.find('='); eq != std::string::npos) {
      std::size_t skip = part.compare(eq, 2, "==") == 0 ? 2 : 1;
      t = {trimmed(part.substr(0, eq)), LabelSelector::Term::Op::kEq, trimmed(part.substr(eq + skip))};
    } else if (part.front() == '!') {
      t = {trimmed(part.substr(1)), LabelSelector::Term::Op::kNotExists, ""};
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
