// YAML (as Kubernetes manifests are written) to JSON (as the API and our typed
// decoders read them). Used at start-up and on reload of static files, never on
// the admission path.
#pragma once

#include <yaml-cpp/yaml.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace schemagate::k8s {

// A plain scalar is typed the way the apiserver's YAML decoder types it (null,
// true/false, integers, floats, else a string); a quoted one is always a string,
// so `schemagate.io/migration: "true"` stays the string "true".
nlohmann::json yaml_to_json(const YAML::Node& node);

// One document of a multi-document YAML stream, with where it starts.
struct YamlDocument {
  YAML::Node node;  // kept for the positions of nested items
  nlohmann::json object;
  int line = 0;  // 1-based
  int column = 0;
};

// Parses every document of a stream (empty documents are skipped). Returns false
// with `error` as "<source>:<line>:<col>: <what>" on malformed YAML.
bool parse_yaml_documents(const std::string& text, const std::string& source, std::vector<YamlDocument>& out,
                          std::string& error);

}  // namespace schemagate::k8s
