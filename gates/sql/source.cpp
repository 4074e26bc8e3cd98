#include "gates/sql/source.hpp"

#include <algorithm>

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

std::size_t skip_space_and_comments(std::string_view text, std::size_t i) {
  while (i < text.size()) {
    char c = text[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
      ++i;
    } else if (c == '-' && i + 1 < text.size() && text[i + 1] == '-') {
      while (i < text.size() && text[i] != '\n')
        ++i;
    } else if (c == '/' && i + 1 < text.size() && text[i + 1] == '*') {
      int depth = 0;  // PostgreSQL block comments nest
      while (i < text.size()) {
        if (text[i] == '/' && i + 1 < text.size() && text[i + 1] == '*') {
          ++depth;
          i += 2;
        } else if (text[i] == '*' && i + 1 < text.size() && text[i + 1] == '/') {
          i += 2;
          if (--depth == 0) break;
        } else {
          ++i;
        }
      }
    } else {
      break;
    }
  }
  return i;
}

}  // namespace schemagate::sql
