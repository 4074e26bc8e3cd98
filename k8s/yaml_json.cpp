#include "k8s/yaml_json.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>

namespace schemagate::k8s {
namespace {

using nlohmann::json;

// YAML 1.2 core schema plus the 1.1 spellings Kubernetes' decoder still accepts.
json plain_scalar(const std::string& s) {
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return nullptr;
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  std::int64_t i = 0;
  const char* end = s.data() + s.size();
  auto [p, ec] = std::from_chars(s.data() + (s[0] == '+' ? 1 : 0), end, i);
  if (ec == std::errc() && p == end) return i;
  bool numeric = s.find_first_not_of("0123456789+-.eE") == std::string::npos &&
                 s.find_first_of("0123456789") != std::string::npos;
  if (numeric) {
    double d = 0;
    auto [pd, ecd] = std::from_chars(s.data() + (s[0] == '+' ? 1 : 0), end, d);
    if (ecd == std::errc() && pd == end && std::isfinite(d)) return d;
  }
  return s;
}

}  // namespace

json yaml_to_json(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null:
      return nullptr;
    case YAML::NodeType::Scalar:
      // "!" marks a quoted (non-plain) scalar: always a string.
      if (node.Tag() == "!" || node.Tag() == "tag:yaml.org,2002:str") return node.Scalar();
      return plain_scalar(node.Scalar());
    case YAML::NodeType::Sequence: {
      json out = json::array();
      for (const auto& item : node)
        out.push_back(yaml_to_json(item));
      return out;
    }
    case YAML::NodeType::Map: {
      json out = json::object();
      for (const auto& kv : node)
        out[kv.first.Scalar()] = yaml_to_json(kv.second);
      return out;
    }
  }
  return nullptr;
}

bool parse_yaml_documents(const std::string& text, const std::string& source, std::vector<YamlDocument>& out,
                          std::string& error) {
  try {
    for (const YAML::Node& doc : YAML::LoadAll(text)) {
      if (doc.IsNull() || !doc.IsDefined()) continue;
      YamlDocument d;
      d.node = doc;
      d.object = yaml_to_json(doc);
      d.line = doc.Mark().line + 1;
      d.column = doc.Mark().column + 1;
      out.push_back(std::move(d));
    }
  } catch (const YAML::Exception& e) {
    error = source + ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1) + ": " +
            e.msg;
    return false;
  }
  return true;
}

}  // namespace schemagate::k8s
