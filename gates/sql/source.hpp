// A source text (a file, a ConfigMap key) with a line index for offset -> line:column.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace schemagate::sql {

struct Position {
  std::uint32_t line = 0;    // 1-based; 0 = unknown
  std::uint32_t column = 0;  // 1-based, counted in characters (UTF-8 code points)
};

class SourceText {
 public:
  SourceText(std::string name, std::string text);
  // A text extracted from another one (the SQL in a Go file's string literals):
  // name() and position() are the origin's, so findings point into the file the
  // user wrote. origin_offsets[i] is the origin's byte offset of text[i], with one
  // more entry for the end of the text. `origin` must outlive this object.
  SourceText(std::string text, const SourceText& origin, std::vector<std::uint32_t> origin_offsets);

  // The file this text was extracted from (nullptr when it is a file itself).
  const SourceText* origin() const { return origin_; }

  const std::string& name() const { return name_; }  // path or configmap/<name>/<key>
  const std::string& text() const { return text_; }
  Position position(std::size_t byte_offset) const;
  // Byte offset of a 1-based character position counted from `from` (libpg_query
  // reports error cursors in characters).
  std::size_t byte_offset_of_char(std::size_t from, std::size_t char_pos) const;

 private:
  std::string name_;
  std::string text_;
  std::vector<std::uint32_t> line_starts_;
  const SourceText* origin_ = nullptr;
  std::vector<std::uint32_t> origin_offsets_;
};

// Skips the block comment that starts at `offset` ("/*"), nested ones included
// (PostgreSQL's block comments nest); returns the offset after it, or `end`.
std::size_t skip_block_comment(std::string_view text, std::size_t offset, std::size_t end);

// Skips whitespace and SQL comments (-- and nested /* */) from `offset`; returns the
// offset of the first token (or text.size()).
std::size_t skip_space_and_comments(std::string_view text, std::size_t offset);

// Input that psql reads but PostgreSQL never sees: meta-command lines (`\set ON_ERROR_STOP on`,
// `\connect app`, `\i file.sql`, `\restrict ...` from pg_dump) and the data rows that follow
// `COPY ... FROM stdin;` (or `\copy ... from stdin`) up to a line `\.` or the end of the text.
struct PsqlSpan {
  enum class Kind : std::uint8_t { kMetaCommand, kCopyData };
  Kind kind = Kind::kMetaCommand;
  std::uint32_t begin = 0;  // the backslash; for data, the byte after the COPY's ';'
  std::uint32_t end = 0;    // the end of the line (not its newline); for data, after the `\.`
  std::string command;      // a meta-command's name without the backslash: "connect", "set"
};

// The psql spans of text[begin, end), found with a scanner that knows SQL's quotes, dollar
// quotes and comments: a backslash inside a string or a function body is not a meta-command.
// A meta-command starts a line (after blanks), outside any quote or comment.
std::vector<PsqlSpan> find_psql_spans(std::string_view text, std::size_t begin, std::size_t end);

// `text` with every span blanked to spaces, newlines kept: offsets, lines and columns are those
// of `text`, so what the parser reports points into the file.
std::string blank_spans(std::string_view text, const std::vector<PsqlSpan>& spans);

}  // namespace schemagate::sql
