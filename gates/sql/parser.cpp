#include "gates/sql/parser.hpp"

#include <malloc.h>
#include <pg_query.h>

#include <algorithm>
#include <cctype>

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
  return msg ? one_line_message(msg) : std::string("syntax error");
}

// At most `max` bytes of `s`, cut at a UTF-8 character boundary.
std::string_view utf8_prefix(std::string_view s, std::size_t max) {
  if (s.size() <= max) return s;
  while (max > 0 && (static_cast<unsigned char>(s[max]) & 0xC0) == 0x80)
    --max;
  return s.substr(0, max);
}

// Blanks (newlines, tabs) become one space each run.
std::string single_line(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    bool blank = c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' || c == '\v';
    if (!blank && static_cast<unsigned char>(c) < 0x20) continue;  // other control bytes
    if (blank && !out.empty() && out.back() == ' ') continue;
    out += blank ? ' ' : c;
  }
  return out;
}

// What a quoted token is, when it is a literal: "a string literal", "a dollar-quoted string".
std::string_view literal_kind(std::string_view token) {
  std::size_t quote = token.find('\'');
  if (quote <= 2) {                                    // npos is larger
    std::string_view prefix = token.substr(0, quote);  // '', E'', B'', X'', N'', U&''
    static constexpr std::string_view kPrefixes[] = {"", "E", "e", "B", "b", "X", "x", "N", "n", "U&", "u&"};
    if (std::find(std::begin(kPrefixes), std::end(kPrefixes), prefix) != std::end(kPrefixes))
      return "a string literal";
  }
  if (token.size() > 1 && token[0] == '$' && !std::isdigit(static_cast<unsigned char>(token[1])))
    return "a dollar-quoted string";
  return {};
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

std::string one_line_message(std::string_view message) {
  // Long enough for any keyword or name, short enough for a one-line finding.
  static constexpr std::size_t kExcerpt = 40;
  static constexpr std::size_t kMessage = 200;
  static constexpr std::string_view kNear = "at or near \"";
  std::string head(message);
  std::string token;
  bool near = false;
  std::size_t at = message.find(kNear);
  if (at != std::string_view::npos && message.size() > at + kNear.size() && message.back() == '"') {
    head = std::string(message.substr(0, at + kNear.size() - 1));
    token = std::string(message.substr(at + kNear.size(), message.size() - at - kNear.size() - 1));
    near = true;
  }
  std::string out = single_line(head);
  if (near) {
    std::string_view kind = literal_kind(token);
    if (!kind.empty()) {
      out += kind;
    } else {
      std::string excerpt = single_line(token);
      std::string_view cut = utf8_prefix(excerpt, kExcerpt);
      out += "\"" + std::string(cut) + (cut.size() < excerpt.size() ? "...\"" : "\"");
    }
  }
  if (out.size() > kMessage) out = std::string(utf8_prefix(out, kMessage)) + "...";
  return out;
}

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
