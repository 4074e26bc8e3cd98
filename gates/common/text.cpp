#include "gates/common/text.hpp"

namespace schemagate::text {
namespace {

bool blank(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

}  // namespace

std::string_view trim(std::string_view s) {
  while (!s.empty() && blank(s.front()))
    s.remove_prefix(1);
  while (!s.empty() && blank(s.back()))
    s.remove_suffix(1);
  return s;
}

std::vector<std::string> split_list(std::string_view s, char sep) {
  std::vector<std::string> out;
  while (true) {
    std::size_t end = s.find(sep);
    std::string_view item = trim(s.substr(0, end));
    if (!item.empty()) out.emplace_back(item);
    if (end == std::string_view::npos) break;
    s.remove_prefix(end + 1);
  }
  return out;
}

}  // namespace schemagate::text
