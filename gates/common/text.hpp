// Small text helpers shared by the policy, annotation and flag parsers.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace schemagate::text {

// `s` without leading and trailing spaces, tabs, carriage returns and newlines.
std::string_view trim(std::string_view s);

// The trimmed, non-empty items of a `sep`-separated list: " a, ,b " -> {"a", "b"}.
std::vector<std::string> split_list(std::string_view s, char sep = ',');

}  // namespace schemagate::text
