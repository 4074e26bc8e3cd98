// The libpg_query adapter: SQL text in, parse trees with true byte offsets out.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "gates/sql/json_tree.hpp"

namespace schemagate::sql {

struct ParsedStatement {
  std::uint32_t span_begin = 0;  // where the statement's text starts, leading comments included
  std::uint32_t offset = 0;      // first token
  std::uint32_t length = 0;      // from offset, up to (not including) the ';'
  std::uint32_t node_base = 0;   // the parse tree's "location" fields count from here
  Node ast;                      // {"IndexStmt": {...}} as libpg_query emits it
};

struct ParseError {
  std::uint32_t offset = 0;  // byte offset of the error cursor
  std::string message;       // PostgreSQL's message, e.g. `syntax error at or near "FROM"`
};

// Everything parsed from one region of a text. Node handles point into `documents`.
struct ParsedRegion {
  std::vector<JsonDocument> documents;
  std::vector<ParsedStatement> statements;
  std::vector<ParseError> errors;
};

// A parser message made fit for a finding: one line (ARCHITECTURE §6), and the token PostgreSQL
// quotes after "at or near" shortened to an excerpt, or named when it is a string literal (a
// literal may hold a secret; an unterminated one would quote the rest of the file).
std::string one_line_message(std::string_view message);

// Parses text[begin, end) as a sequence of statements. Offsets are relative to
// `text`. On a syntax error, the region is split with the scanner and every
// statement that parses on its own is still returned, so the rest of a file is
// reported. Never throws.
ParsedRegion parse_region(std::string_view text, std::size_t begin, std::size_t end);

// Tunes glibc malloc for libpg_query's allocation pattern (large memory contexts
// allocated and freed per parse). Call once at start-up; see docs/benchmarks.md.
void tune_allocator_for_parsing();

}  // namespace schemagate::sql
