// Every gate has its doc and its test, ids are unique and well-formed, and the
// summary sentence is the doc's first paragraph word for word (STYLE.md).
#include "gates/registry.hpp"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

namespace registry_test {  // per-file scope: the tests are also built as one unity TU

namespace fs = std::filesystem;
using schemagate::gates::builtin_registry;

namespace {

std::string read(const fs::path& p) {
  std::ifstream in(p);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string file_stem(const std::string& id) {
  std::string name = id.substr(id.find('.') + 1);
  for (char& c : name) {
    if (c == '-') c = '_';
  }
  return name;
}

}  // namespace

TEST_CASE("every gate id is unique and of the form <category>.<kebab-name>") {
  std::set<std::string> ids;
  const std::regex form("^(lint|tenancy|concurrency|rollback|job)\\.[a-z0-9]+(-[a-z0-9]+)*$");
  for (const auto& g : builtin_registry().gates()) {
    const auto& info = g->info();
    INFO(info.id);
    CHECK(std::regex_match(info.id, form));
    CHECK(ids.insert(info.id).second);
    CHECK(info.id.substr(0, info.id.find('.')) ==
          std::string(schemagate::gates::category_name(info.category)));
    CHECK(!info.summary.empty());
    CHECK(info.summary.back() == '.');
  }
  CHECK(ids.size() >= 3);
}

TEST_CASE("every gate has its source, doc and test files, and the doc opens with the summary") {
  const fs::path root = SCHEMAGATE_SOURCE_DIR;
  for (const auto& g : builtin_registry().gates()) {
    const auto& info = g->info();
    std::string category = info.id.substr(0, info.id.find('.'));
    std::string stem = file_stem(info.id);
    INFO(info.id);
    CHECK(fs::exists(root / "gates" / category / (stem + ".hpp")));
    CHECK(fs::exists(root / "gates" / category / (stem + ".cpp")));
    CHECK(fs::exists(root / "tests" / "gates" / category / (stem + "_test.cpp")));
    fs::path doc = root / "gates" / category / (stem + ".md");
    REQUIRE(fs::exists(doc));
    std::string text = read(doc);
    CHECK(text.rfind("# " + info.id + "\n", 0) == 0);
    std::string after_title = text.substr(text.find('\n') + 1);
    after_title.erase(0, after_title.find_first_not_of('\n'));
    std::string first_paragraph = after_title.substr(0, after_title.find("\n\n"));
    CHECK(first_paragraph == info.summary);
    for (const char* section : {"## Problem", "## Solution", "## Suppressing"}) {
      INFO(section);
      CHECK(text.find(section) != std::string::npos);
    }
    for (const auto& o : info.options) {
      INFO(o.name);
      CHECK(text.find("`" + o.name + "`") != std::string::npos);
    }
  }
}

TEST_CASE("every gate doc belongs to a registered gate") {
  const fs::path root = SCHEMAGATE_SOURCE_DIR;
  for (const char* category : {"lint", "tenancy", "concurrency", "rollback", "job"}) {
    fs::path dir = root / "gates" / category;
    if (!fs::exists(dir)) continue;
    for (const auto& entry : fs::directory_iterator(dir)) {
      if (entry.path().extension() != ".md") continue;
      std::string stem = entry.path().stem().string();
      for (char& c : stem) {
        if (c == '_') c = '-';
      }
      INFO(entry.path());
      CHECK(builtin_registry().find(std::string(category) + "." + stem) != nullptr);
    }
  }
}

}  // namespace registry_test
