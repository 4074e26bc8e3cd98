// Deterministic YAML for `schemagate plan`: Kubernetes objects (as JSON values) to a
// multi-document stream that kubectl reads back to the same objects. Keys are sorted,
// except apiVersion, kind and metadata, which lead as kubectl prints them.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace schemagate::server {

// One document, without the leading "---".
std::string to_yaml(const nlohmann::json& object);
// "---\n<doc>" for each object.
std::string to_yaml_stream(const std::vector<nlohmann::json>& objects);

// Whether a plain (unquoted) scalar with this text would be read back as something
// other than this string by a YAML 1.1 or 1.2 reader (true, yes, on, 0x1F, 1e3, ~…).
bool plain_scalar_changes_type(const std::string& text);

}  // namespace schemagate::server
