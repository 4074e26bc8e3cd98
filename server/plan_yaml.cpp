#include "server/plan_yaml.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <regex>

namespace schemagate::server {
namespace {

// A string that round-trips as a literal block (`|`): one trailing newline exactly
// (the default "clip" chomping keeps one), no leading space on the first line (that
// would need an indentation indicator), nothing YAML would fold or refuse.
bool literal_block_ok(const std::string& s) {
  if (s.size() < 2 || s.back() != '\n' || s[s.size() - 2] == '\n') return false;
  if (s.front() == ' ' || s.front() == '\t' || s.front() == '\n') return false;
  return std::none_of(s.begin(), s.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return c == '\r' || (u < 0x20 && c != '\n' && c != '\t') || u == 0x7f;
  });
}

void emit(YAML::Emitter& out, const nlohmann::json& v, bool top);

void emit_string(YAML::Emitter& out, const std::string& s) {
  if (s.find('\n') != std::string::npos) {
    if (literal_block_ok(s)) {
      out << YAML::Literal << s;
    } else {
      out << YAML::DoubleQuoted << s;
    }
    return;
  }
  if (plain_scalar_changes_type(s)) {
    out << YAML::DoubleQuoted << s;
  } else {
    out << s;  // the emitter quotes what cannot be plain (": ", leading "-", "#"...)
  }
}

void emit_map(YAML::Emitter& out, const nlohmann::json& v, bool top) {
  if (v.empty()) {
    out << YAML::Flow << YAML::BeginMap << YAML::EndMap;
    return;
  }
  // kubectl's order for the leading fields of an object; the rest sorted (json
  // objects iterate in key order).
  static const std::array<std::string, 3> kLead = {"apiVersion", "kind", "metadata"};
  std::vector<std::string> keys;
  if (top) {
    for (const auto& k : kLead) {
      if (v.contains(k)) keys.push_back(k);
    }
  }
  for (auto it = v.begin(); it != v.end(); ++it) {
    if (!top || std::find(kLead.begin(), kLead.end(), it.key()) == kLead.end()) keys.push_back(it.key());
  }
  out << YAML::BeginMap;
  for (const auto& k : keys) {
    out << YAML::Key;
    emit_string(out, k);
    out << YAML::Value;
    emit(out, v.at(k), false);
  }
  out << YAML::EndMap;
}

void emit(YAML::Emitter& out, const nlohmann::json& v, bool top) {
  switch (v.type()) {
    case nlohmann::json::value_t::object:
      emit_map(out, v, top);
      break;
    case nlohmann::json::value_t::array:
      if (v.empty()) {
        out << YAML::Flow << YAML::BeginSeq << YAML::EndSeq;
        break;
      }
      out << YAML::BeginSeq;
      for (const auto& item : v)
        emit(out, item, false);
      out << YAML::EndSeq;
      break;
    case nlohmann::json::value_t::string:
      emit_string(out, v.get<std::string>());
      break;
    case nlohmann::json::value_t::boolean:
      out << (v.get<bool>() ? "true" : "false");
      break;
    case nlohmann::json::value_t::number_integer:
      out << v.get<std::int64_t>();
      break;
    case nlohmann::json::value_t::number_unsigned:
      out << v.get<std::uint64_t>();
      break;
    case nlohmann::json::value_t::number_float:
      out << v.dump();
      break;
    default:
      out << YAML::Null;
      break;
  }
}

}  // namespace

bool plain_scalar_changes_type(const std::string& text) {
  if (text.empty()) return true;
  std::string l = text;
  for (char& c : l)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  // YAML 1.1 booleans and nulls: go-yaml (kubectl) still reads "yes" and "on" as bools.
  static const std::array<std::string, 14> kWords = {
      "true", "false", "yes", "no", "on", "off", "y", "n", "null", "~", ".nan", ".inf", "-.inf", "+.inf"};
  if (std::find(kWords.begin(), kWords.end(), l) != kWords.end()) return true;
  // Anything number-like: ints (with signs, underscores, 0x, 0o, 0b, sexagesimal 1:30)
  // and floats (1e3, .5, 1.).
  static const std::regex kNumber(R"([-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?)");
  static const std::regex kOther(
      R"([-+]?0[xXoObB][0-9a-fA-F_]+|[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?)");
  return std::regex_match(text, kNumber) || std::regex_match(text, kOther);
}

std::string to_yaml(const nlohmann::json& object) {
  YAML::Emitter out;
  out.SetOutputCharset(YAML::EmitNonAscii);
  out.SetIndent(2);
  out.SetSeqFormat(YAML::Block);
  out.SetMapFormat(YAML::Block);
  emit(out, object, true);
  std::string s = out.c_str();
  if (s.empty() || s.back() != '\n') s += '\n';
  return s;
}

std::string to_yaml_stream(const std::vector<nlohmann::json>& objects) {
  std::string out;
  for (const auto& o : objects)
    out += "---\n" + to_yaml(o);
  return out;
}

}  // namespace schemagate::server
