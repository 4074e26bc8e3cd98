#include "gates/sql/parser.hpp"

#include <malloc.h>
#include <pg_query.h>

#include "gates/sql/source.hpp"

namespace schemagate::sql {
namespace {

// RAII owners for libpg_query results.
struct ParseResultOwner {
  PgQueryParseResult r;
  explicit ParseResultOwner(const char* sql) : r(pg_query_parse(sql)) {}
  ~ParseResultOwner() { pg_query_free_parse_result(r); }
  ParseResultOwner(const ParseResultOwner&) = delete;
  ParseResultOwner& operator=(const ParseResultOwner&) = delete;
};

struct SplitResultOwner {
  PgQuerySplitResult r;
  explicit SplitResultOwner(const char* sql) : r(pg_query_split_with_scanner(sql)) {}
  ~SplitResultOwner() { pg_query_free_split_result(r); }
  SplitResultOwner(const SplitResultOwner&) = delete;
  SplitResultOwner& operator=(const SplitResultOwner&) = delete;
};

// libpg_query's cursorpos is 1-based and counted in characters of the query.
std::size_t char_pos_to_byte(std::string_view s, int cursorpos) {
  std::size_t i = 0;
  for (int chars = 1; i < s.size() && chars < cursorpos; ++chars) {
    ++i;
    while (i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80)
      ++i;
  }
  return i;
}

std::string clean_message(const char* msg) {
  return msg ? std::string(msg) : std::string("syntax error");
}

std::uint32_t trimmed_length(std::string_view text, std::size_t offset, std::size_t end) {
  while (end > offset) {
    char c = text[end - 1];
    if (c != ' ' && c != '\n' && c != '\t' && c != '\r' && c != '\f') break;
    --end;
  }
  return static_cast<std::uint32_t>(end - offset);
}

// Parses one chunk with the parser; appends statements or one error. Offsets are
// shifted by `base` into the caller's text.
bool parse_chunk(std::string_view text, std::size_t base, std::size_t len, ParsedRegion& out) {
  std::string chunk(text.substr(base, len));
  ParseResultOwner parsed(chunk.c_str());
  if (parsed.r.error != nullptr) {
    std::size_t at = char_pos_to_byte(chunk, parsed.r.error->cursorpos);
    out.errors.push_back({static_cast<std::uint32_t>(base + at), clean_message(parsed.r.error->message)});
    return false;
  }
  JsonDocument doc;
  if (!doc.parse(parsed.r.parse_tree ? std::string(parsed.r.parse_tree) : std::string("{}"))) {
    out.errors.push_back(
        {static_cast<std::uint32_t>(base), "internal: unreadable parse tree: " + doc.error()});
    return false;
  }
  Node stmts = doc.root()["stmts"];
  for (Node raw : stmts) {
    std::size_t loc = static_cast<std::size_t>(raw["stmt_location"].integer(0));
    std::size_t slen = static_cast<std::size_t>(raw["stmt_len"].integer(0));
    std::size_t stmt_end = slen == 0 ? chunk.size() : std::min(chunk.size(), loc + slen);
    std::size_t first = skip_space_and_comments(chunk, loc);
    ParsedStatement st;
    st.span_begin = static_cast<std::uint32_t>(base + loc);
    st.offset = static_cast<std::uint32_t>(base + first);
    st.length = first < stmt_end ? trimmed_length(chunk, first, stmt_end) : 0;
    st.ast = raw["stmt"];
    st.node_base = static_cast<std::uint32_t>(base);
    out.statements.push_back(st);
  }
  out.documents.push_back(std::move(doc));
  return true;
}

}  // namespace

ParsedRegion parse_region(std::string_view text, std::size_t begin, std::size_t end) {
  ParsedRegion out;
  end = std::min(end, text.size());
  if (begin >= end) return out;
  if (parse_chunk(text, begin, end - begin, out)) return out;

  // A syntax error somewhere: split with the scanner (which tolerates grammar
  // errors) and parse piece by piece, so every other statement is still analysed.
  out = ParsedRegion{};
  std::string region(text.substr(begin, end - begin));
  SplitResultOwner split(region.c_str());
  if (split.r.error != nullptr) {
    std::size_t at = char_pos_to_byte(region, split.r.error->cursorpos);
    out.errors.push_back({static_cast<std::uint32_t>(begin + at), clean_message(split.r.error->message)});
    return out;
  }
  // The scanner split drops text that does not start like a statement ("SELEC 1"),
  // so every gap between the pieces it found is parsed too: nothing is skipped.
  std::size_t covered = 0;
  auto parse_gap = [&](std::size_t from, std::size_t to) {
    std::size_t first = skip_space_and_comments(region, from);
    if (first < to) parse_chunk(text, begin + from, to - from, out);
  };
  for (int i = 0; i < split.r.n_stmts; ++i) {
    const PgQuerySplitStmt* s = split.r.stmts[i];
    auto loc = static_cast<std::size_t>(s->stmt_location);
    auto len = static_cast<std::size_t>(s->stmt_len);
    if (len == 0) len = region.size() - loc;
    if (loc > covered) parse_gap(covered, loc);
    parse_chunk(text, begin + loc, len, out);
    covered = loc + len;
    if (covered < region.size() && region[covered] == ';') ++covered;
  }
  if (covered < region.size()) parse_gap(covered, region.size());
  return out;
}

void tune_allocator_for_parsing() {
  // libpg_query allocates its memory contexts in blocks of up to 8 MB and frees
  // them after every parse. With glibc's dynamic mmap threshold and 128 KiB trim
  // threshold those blocks go to mmap/munmap (and the heap is trimmed) on every
  // statement, and page faults dominate: measured several times slower per byte on
  // large inputs. Keep them in the heap instead.
  mallopt(M_MMAP_THRESHOLD, 64 * 1024 * 1024);
  mallopt(M_TRIM_THRESHOLD, 256 * 1024 * 1024);
  mallopt(M_TOP_PAD, 16 * 1024 * 1024);
}

}  // namespace schemagate::sql
