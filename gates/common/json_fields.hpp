// Null-safe member access on nlohmann::json objects, for decoding Kubernetes
// objects whose fields may be absent or of the wrong type.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace schemagate::json_fields {

// Member `key` of `j`, or a null value when `j` is not an object or has no such member.
inline const nlohmann::json& field(const nlohmann::json& j, const char* key) {
  static const nlohmann::json kNull;
  if (!j.is_object()) return kNull;
  auto it = j.find(key);
  return it == j.end() ? kNull : *it;
}

// Member `key` of `j` when it is a string, else "".
inline std::string string_field(const nlohmann::json& j, const char* key) {
  const nlohmann::json& v = field(j, key);
  return v.is_string() ? v.get<std::string>() : std::string();
}

}  // namespace schemagate::json_fields
