#include "gates/common/text.hpp"

#include <catch2/catch.hpp>

namespace text_test {  // per-file scope: the tests are also built as one unity TU

using namespace schemagate;

TEST_CASE("text::trim drops blanks at both ends only") {
  CHECK(text::trim("  a b\t\r\n") == "a b");
  CHECK(text::trim(" \t ").empty());
  CHECK(text::trim("x") == "x");
}

TEST_CASE("text::split_list keeps trimmed, non-empty items in order") {
  CHECK(text::split_list(" a, ,b ,") == std::vector<std::string>{"a", "b"});
  CHECK(text::split_list("").empty());
  CHECK(text::split_list("k=v;x", ';') == std::vector<std::string>{"k=v", "x"});
}

TEST_CASE("text::append_utf8 encodes 1 to 4 byte sequences") {
  std::string s;
  text::append_utf8(s, 0x41);     // A
  text::append_utf8(s, 0xE9);     // é
  text::append_utf8(s, 0x20AC);   // €
  text::append_utf8(s, 0x1F600);  // 😀
  CHECK(s == "A\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80");
  std::string edge;
  text::append_utf8(edge, 0x7FF);
  text::append_utf8(edge, 0xFFFF);
  text::append_utf8(edge, 0x10FFFF);
  CHECK(edge == "\xDF\xBF\xEF\xBF\xBF\xF4\x8F\xBF\xBF");
}

}  // namespace text_test
