#include "gates/sql/source.hpp"

#include <algorithm>
#include <cctype>

namespace schemagate::sql {

SourceText::SourceText(std::string name, std::string text) : name_(std::move(name)), text_(std::move(text)) {
  line_starts_.push_back(0);
  for (std::size_t i = 0; i < text_.size(); ++i) {
    if (text_[i] == '\n') line_starts_.push_back(static_cast<std::uint32_t>(i + 1));
  }
}

SourceText::SourceText(std::string text, const SourceText& origin, std::vector<std::uint32_t> origin_offsets)
    : SourceText(origin.name(), std::move(text)) {
  origin_ = &origin;
  origin_offsets_ = std::move(origin_offsets);
  origin_offsets_.resize(text_.size() + 1, origin_offsets_.empty() ? 0 : origin_offsets_.back());
}

Position SourceText::position(std::size_t byte_offset) const {
  if (origin_ != nullptr) return origin_->position(origin_offsets_[std::min(byte_offset, text_.size())]);
  byte_offset = std::min(byte_offset, text_.size());
  auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), byte_offset);
  std::size_t line_index = static_cast<std::size_t>(it - line_starts_.begin()) - 1;
  std::size_t col = 1;
  for (std::size_t i = line_starts_[line_index]; i < byte_offset; ++i) {
    // Count code points: skip UTF-8 continuation bytes.
    if ((static_cast<unsigned char>(text_[i]) & 0xC0) != 0x80) ++col;
  }
  return {static_cast<std::uint32_t>(line_index + 1), static_cast<std::uint32_t>(col)};
}

std::size_t SourceText::byte_offset_of_char(std::size_t from, std::size_t char_pos) const {
  std::size_t i = from;
  std::size_t chars = 1;
  while (i < text_.size() && chars < char_pos) {
    ++i;
    while (i < text_.size() && (static_cast<unsigned char>(text_[i]) & 0xC0) == 0x80)
      ++i;
    ++chars;
  }
  return std::min(i, text_.size());
}

std::size_t skip_block_comment(std::string_view text, std::size_t i, std::size_t end) {
  end = std::min(end, text.size());
  int depth = 0;
  while (i < end) {
    if (text[i] == '/' && i + 1 < end && text[i + 1] == '*') {
      ++depth;
      i += 2;
    } else if (text[i] == '*' && i + 1 < end && text[i + 1] == '/') {
      i += 2;
      if (--depth == 0) break;
    } else {
      ++i;
    }
  }
  return i;
}

std::size_t skip_space_and_comments(std::string_view text, std::size_t i) {
  while (i < text.size()) {
    char c = text[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
      ++i;
    } else if (c == '-' && i + 1 < text.size() && text[i + 1] == '-') {
      while (i < text.size() && text[i] != '\n')
        ++i;
    } else if (c == '/' && i + 1 < text.size() && text[i + 1] == '*') {
      i = skip_block_comment(text, i, text.size());
    } else {
      break;
    }
  }
  return i;
}

namespace {

bool word_start(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_' ||
         (static_cast<unsigned char>(c) & 0x80) != 0;
}
bool word_char(char c) {
  return word_start(c) || std::isdigit(static_cast<unsigned char>(c)) || c == '$';
}

bool equals_lower(std::string_view word, std::string_view lower) {
  return word.size() == lower.size() &&
         std::equal(word.begin(), word.end(), lower.begin(),
                    [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == b; });
}

// Where the line at `from` ends (its newline, or `end`).
std::size_t line_end(std::string_view text, std::size_t from, std::size_t end) {
  std::size_t eol = text.find('\n', from);
  return eol == std::string_view::npos || eol > end ? end : eol;
}

// The data of COPY ... FROM stdin starts after `from` and ends with a line holding only `\.`
// (psql, "COPY ... FROM STDIN"), or at the end of the text.
PsqlSpan copy_data(std::string_view text, std::size_t from, std::size_t end) {
  PsqlSpan data;
  data.kind = PsqlSpan::Kind::kCopyData;
  data.begin = static_cast<std::uint32_t>(from);
  data.end = static_cast<std::uint32_t>(end);
  std::size_t line = text.find('\n', from);
  while (line != std::string_view::npos && line < end) {
    std::size_t start = line + 1;
    std::size_t eol = line_end(text, start, end);
    std::string_view l = text.substr(start, eol - start);
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    if (l == "\\.") {
      data.end = static_cast<std::uint32_t>(start + 2);
      break;
    }
    line = eol < end ? eol : std::string_view::npos;
  }
  return data;
}

// The end of a quoted run opened at `i` by `quote` (' or "), doubled quotes escaping it; with
// `backslashes` (E'...'), a backslash escapes the next byte.
std::size_t skip_quoted(std::string_view text, std::size_t i, std::size_t end, char quote, bool backslashes) {
  ++i;
  while (i < end) {
    if (backslashes && text[i] == '\\') {
      i += 2;
    } else if (text[i] == quote) {
      if (i + 1 < end && text[i + 1] == quote) {
        i += 2;
      } else {
        return i + 1;
      }
    } else {
      ++i;
    }
  }
  return end;
}

}  // namespace

std::vector<PsqlSpan> find_psql_spans(std::string_view text, std::size_t begin, std::size_t end) {
  std::vector<PsqlSpan> spans;
  end = std::min(end, text.size());
  bool line_start = true;
  int depth = 0;  // parentheses: psql ends a statement at ';' only outside them
  // Words of the statement being read: is it COPY ... FROM STDIN?
  bool in_statement = false;
  bool is_copy = false;
  bool from_stdin = false;
  std::string_view previous_word;
  std::size_t i = begin;
  while (i < end) {
    char c = text[i];
    if (c == '\n') {
      line_start = true;
      ++i;
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
      ++i;
      continue;
    }
    if (line_start && c == '\\') {
      std::size_t eol = line_end(text, i, end);
      std::string_view line = text.substr(i, eol - i);
      std::size_t name_end = 1;
      while (name_end < line.size() && std::isalnum(static_cast<unsigned char>(line[name_end])))
        ++name_end;
      PsqlSpan meta;
      meta.begin = static_cast<std::uint32_t>(i);
      meta.end = static_cast<std::uint32_t>(eol);
      meta.command = std::string(line.substr(1, name_end - 1));
      for (char& ch : meta.command)
        ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      spans.push_back(meta);
      i = eol;
      if (meta.command == "copy") {
        // \copy ... from stdin reads its rows from the script itself (psql, "\copy").
        std::string lowered(line);
        for (char& ch : lowered)
          ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        std::size_t from = lowered.find(" from ");
        if (from != std::string::npos && lowered.find("stdin", from) != std::string::npos &&
            lowered.find("pstdin", from) == std::string::npos) {
          spans.push_back(copy_data(text, eol, end));
          i = spans.back().end;
        }
      }
      continue;
    }
    line_start = false;
    if (c == '-' && i + 1 < end && text[i + 1] == '-') {
      i = line_end(text, i, end);
    } else if (c == '/' && i + 1 < end && text[i + 1] == '*') {
      i = skip_block_comment(text, i, end);
    } else if (c == '\'') {
      bool escapes = i > begin && (text[i - 1] == 'E' || text[i - 1] == 'e') &&
                     (i - 1 == begin || !word_char(text[i - 2]));
      i = skip_quoted(text, i, end, '\'', escapes);
      in_statement = true;
    } else if (c == '"') {
      i = skip_quoted(text, i, end, '"', false);
      in_statement = true;
    } else if (c == '$' && (i == begin || !word_char(text[i - 1]))) {
      // $tag$ ... $tag$ (the tag an identifier without '$', or empty); $1 is a parameter.
      std::size_t k = i + 1;
      while (k < end && text[k] != '$' && word_char(text[k]))
        ++k;
      bool tag =
          k < end && text[k] == '$' && (k == i + 1 || !std::isdigit(static_cast<unsigned char>(text[i + 1])));
      if (tag) {
        std::string_view delimiter = text.substr(i, k + 1 - i);
        std::size_t close = text.substr(0, end).find(delimiter, k + 1);
        i = close == std::string_view::npos ? end : close + delimiter.size();
      } else {
        i = k;
      }
      in_statement = true;
    } else if (word_start(c)) {
      std::size_t k = i;
      while (k < end && word_char(text[k]))
        ++k;
      std::string_view word = text.substr(i, k - i);
      if (!in_statement) is_copy = equals_lower(word, "copy");
      if (is_copy && equals_lower(word, "stdin") && equals_lower(previous_word, "from")) from_stdin = true;
      previous_word = word;
      in_statement = true;
      i = k;
    } else {
      if (c == '(') ++depth;
      if (c == ')' && depth > 0) --depth;
      if (c == ';' && depth == 0) {
        if (is_copy && from_stdin) {
          spans.push_back(copy_data(text, i + 1, end));
          i = spans.back().end;
        } else {
          ++i;
        }
        in_statement = is_copy = from_stdin = false;
        previous_word = {};
        continue;
      }
      in_statement = true;
      ++i;
    }
  }
  return spans;
}

std::string blank_spans(std::string_view text, const std::vector<PsqlSpan>& spans) {
  std::string out(text);
  for (const PsqlSpan& s : spans) {
    for (std::size_t i = s.begin; i < s.end && i < out.size(); ++i) {
      if (out[i] != '\n') out[i] = ' ';
    }
  }
  return out;
}

}  // namespace schemagate::sql
