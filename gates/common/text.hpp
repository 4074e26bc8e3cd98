// Small text helpers shared by the policy, annotation and flag parsers.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace schemagate::text {

// `s` without leading and trailing spaces, tabs, carriage returns and newlines.
std::string_view trim(std::string_view s);

// The trimmed, non-empty items of a `sep`-separated list: " a, ,b " -> {"a", "b"}.
std::vector<std::string> split_list(std::string_view s, char sep = ',');

// Appends code point `cp` (at most 0x10FFFF) to `out` as UTF-8.
void append_utf8(std::string& out, std::uint32_t cp);

}  // namespace schemagate::text
