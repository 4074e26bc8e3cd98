// The floor for bench/lint: read every file (with the same reader schemagate uses)
// and hand it to libpg_query's parser (pg_query_parse, which also emits the JSON
// tree), nothing else.
// Usage: bench_bare_parse [--tune-malloc] PATH...
#include <malloc.h>
#include <pg_query.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "gates/sql/migration.hpp"

int main(int argc, char** argv) {
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--tune-malloc") {
      // The same settings as sql::tune_allocator_for_parsing().
      mallopt(M_MMAP_THRESHOLD, 64 * 1024 * 1024);
      mallopt(M_TRIM_THRESHOLD, 256 * 1024 * 1024);
      mallopt(M_TOP_PAD, 16 * 1024 * 1024);
      continue;
    }
    if (std::filesystem::is_directory(a)) {
      for (const auto& e : std::filesystem::recursive_directory_iterator(a)) {
        if (e.is_regular_file() && e.path().extension() == ".sql") files.push_back(e.path().string());
      }
    } else {
      files.emplace_back(a);
    }
  }
  std::sort(files.begin(), files.end());
  std::size_t bytes = 0;
  std::size_t json_bytes = 0;
  std::size_t errors = 0;
  for (const auto& f : files) {
    std::string text;
    std::string error;
    if (!schemagate::sql::read_text_file(f, text, error)) {
      std::fprintf(stderr, "%s\n", error.c_str());
      return 2;
    }
    bytes += text.size();
    PgQueryParseResult r = pg_query_parse(text.c_str());
    if (r.error) ++errors;
    if (r.parse_tree) json_bytes += std::char_traits<char>::length(r.parse_tree);
    pg_query_free_parse_result(r);
  }
  std::fprintf(stderr, "%zu files, %zu bytes of SQL, %zu bytes of parse tree JSON, %zu with errors\n",
               files.size(), bytes, json_bytes, errors);
  return 0;
}
