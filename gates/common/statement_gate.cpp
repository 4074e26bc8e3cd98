#include "gates/common/statement_gate.hpp"

#include <cctype>

namespace schemagate::gates {

std::string quote_ident(std::string_view name) {
  bool plain = !name.empty() && (std::islower(static_cast<unsigned char>(name[0])) || name[0] == '_');
  for (char c : name) {
    if (!(std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) ||
          c == '_')) {
      plain = false;
    }
  }
  if (plain) return std::string(name);
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string display_relation(const sql::RelationName& r) {
  return r.schema.empty() ? quote_ident(r.name) : quote_ident(r.schema) + "." + quote_ident(r.name);
}

std::string lock_phrase(sql::LockMode mode, const sql::RelationName& r) {
  return std::string(sql::lock_mode_name(mode)) + " lock on " + display_relation(r);
}

}  // namespace schemagate::gates
