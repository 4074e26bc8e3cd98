#include "gates/sql/json_tree.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>

#include "gates/common/text.hpp"

namespace schemagate::sql {

Node Node::operator[](std::string_view key) const {
  if (!is_object()) return {};
  for (const JsonMember* m = v_->u.obj; m != v_->u.obj + v_->size; ++m) {
    if (m->key == key) return Node(&m->value);
  }
  return {};
}

Node Node::at(std::size_t index) const {
  if (!is_array() || index >= v_->size) return {};
  return Node(v_->u.arr + index);
}

std::size_t Node::size() const {
  if (is_array() || is_object()) return v_->size;
  return 0;
}

std::string_view Node::str() const {
  if (!is_string()) return {};
  return {v_->u.s, v_->size};
}

std::int64_t Node::integer(std::int64_t fallback) const {
  if (v_ && v_->type == JsonValue::Type::kInt) return v_->u.i;
  if (v_ && v_->type == JsonValue::Type::kDouble) return static_cast<std::int64_t>(v_->u.d);
  return fallback;
}

double Node::number(double fallback) const {
  if (v_ && v_->type == JsonValue::Type::kDouble) return v_->u.d;
  if (v_ && v_->type == JsonValue::Type::kInt) return static_cast<double>(v_->u.i);
  return fallback;
}

bool Node::boolean() const {
  return v_ && v_->type == JsonValue::Type::kBool && v_->u.b;
}

std::string_view Node::tag() const {
  if (!is_object() || v_->size != 1) return {};
  return v_->u.obj[0].key;
}

Node Node::body() const {
  if (!is_object() || v_->size != 1) return {};
  return Node(&v_->u.obj[0].value);
}

void* JsonDocument::allocate_slow(std::size_t bytes) {
  {
    // Grow geometrically so a 100 MB tree costs a handful of blocks, not thousands.
    // The first block is sized from the text: a parse tree takes about 1.5x its JSON.
    std::size_t next = blocks_.empty() ? std::max<std::size_t>(4096, text_.size() * 2) : block_size_ * 2;
    if (next > 64 * 1024 * 1024) next = 64 * 1024 * 1024;
    if (next < bytes) next = bytes;
    blocks_.emplace_back(new std::byte[next]);
    block_size_ = next;
    block_used_ = 0;
    arena_bytes_ += next;
  }
  void* p = blocks_.back().get() + block_used_;
  block_used_ += bytes;
  return p;
}

// Recursive-descent parser. Children are collected on one scratch stack and copied
// into the arena when their container closes, so each container costs one
// allocation of exactly its size.
class JsonParser {
 public:
  JsonParser(JsonDocument& doc, const char* begin, const char* end)
      : doc_(doc), p_(begin), begin_(begin), end_(end) {
    values_.reserve(256);
    members_.reserve(1024);
  }

  bool run(JsonValue& out) {
    skip_ws();
    if (!value(out, 0)) return false;
    skip_ws();
    if (p_ != end_) return fail("unexpected trailing characters");
    return true;
  }
  std::string error;

 private:
  static constexpr int kMaxDepth = 10000;

  bool fail(const char* what) {
    error = std::string(what) + " at byte " + std::to_string(p_ - begin_);
    return false;
  }
  void skip_ws() {
    while (p_ != end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t'))
      ++p_;
  }

  bool value(JsonValue& out, int depth) {
    if (depth > kMaxDepth) return fail("nesting too deep");
    if (p_ == end_) return fail("unexpected end of input");
    switch (*p_) {
      case '{':
        return object(out, depth);
      case '[':
        return array(out, depth);
      case '"': {
        std::string_view s;
        if (!string(s)) return false;
        out.type = JsonValue::Type::kString;
        out.size = static_cast<std::uint32_t>(s.size());
        out.u.s = s.data();
        return true;
      }
      case 't':
        return literal("true", out, JsonValue::Type::kBool, true);
      case 'f':
        return literal("false", out, JsonValue::Type::kBool, false);
      case 'n':
        return literal("null", out, JsonValue::Type::kNull, false);
      default:
        return number(out);
    }
  }

  bool literal(const char* word, JsonValue& out, JsonValue::Type type, bool b) {
    std::size_t n = std::strlen(word);
    if (static_cast<std::size_t>(end_ - p_) < n || std::memcmp(p_, word, n) != 0)
      return fail("invalid literal");
    p_ += n;
    out.type = type;
    out.u.b = b;
    return true;
  }

  bool number(JsonValue& out) {
    // Fast path: the parse tree's numbers are small integers (locations, lengths).
    {
      const char* q = p_;
      bool neg = q != end_ && *q == '-';
      if (neg) ++q;
      const char* digits = q;
      std::uint64_t v = 0;
      while (q != end_ && *q >= '0' && *q <= '9' && q - digits < 18)
        v = v * 10 + static_cast<unsigned>(*q++ - '0');
      if (q != digits && (q == end_ || (*q != '.' && *q != 'e' && *q != 'E' && (*q < '0' || *q > '9')))) {
        out.type = JsonValue::Type::kInt;
        out.u.i = neg ? -static_cast<std::int64_t>(v) : static_cast<std::int64_t>(v);
        p_ = q;
        return true;
      }
    }
    const char* start = p_;
    bool is_double = false;
    if (p_ != end_ && *p_ == '-') ++p_;
    while (p_ != end_ && ((*p_ >= '0' && *p_ <= '9') || *p_ == '.' || *p_ == 'e' || *p_ == 'E' ||
                          *p_ == '+' || *p_ == '-')) {
      if (*p_ == '.' || *p_ == 'e' || *p_ == 'E') is_double = true;
      ++p_;
    }
    if (p_ == start) return fail("unexpected character");
    if (!is_double) {
      std::int64_t v = 0;
      auto [ptr, ec] = std::from_chars(start, p_, v);
      if (ec == std::errc() && ptr == p_) {
        out.type = JsonValue::Type::kInt;
        out.u.i = v;
        return true;
      }
    }
    double d = 0;
    auto [ptr, ec] = std::from_chars(start, p_, d);
    if (ec != std::errc() || ptr != p_) return fail("invalid number");
    out.type = JsonValue::Type::kDouble;
    out.u.d = d;
    return true;
  }

  bool hex4(unsigned& cp) {
    if (end_ - p_ < 4) return fail("truncated \\u escape");
    cp = 0;
    for (int k = 0; k < 4; ++k) {
      char c = *p_++;
      cp <<= 4;
      if (c >= '0' && c <= '9') {
        cp |= static_cast<unsigned>(c - '0');
      } else if (c >= 'a' && c <= 'f') {
        cp |= static_cast<unsigned>(c - 'a' + 10);
      } else if (c >= 'A' && c <= 'F') {
        cp |= static_cast<unsigned>(c - 'A' + 10);
      } else {
        return fail("invalid \\u escape");
      }
    }
    return true;
  }

  bool string(std::string_view& out) {
    ++p_;  // opening quote
    const char* start = p_;
    while (p_ != end_ && *p_ != '"' && *p_ != '\\')
      ++p_;
    if (p_ == end_) return fail("unterminated string");
    if (*p_ == '"') {  // the common case: no escapes, view into the text
      out = std::string_view(start, static_cast<std::size_t>(p_ - start));
      ++p_;
      return true;
    }
    std::string decoded(start, p_);
    while (p_ != end_ && *p_ != '"') {
      if (*p_ != '\\') {
        decoded += *p_++;
        continue;
      }
      ++p_;
      if (p_ == end_) return fail("unterminated escape");
      char e = *p_++;
      switch (e) {
        case '"':
          decoded += '"';
          break;
        case '\\':
          decoded += '\\';
          break;
        case '/':
          decoded += '/';
          break;
        case 'b':
          decoded += '\b';
          break;
        case 'f':
          decoded += '\f';
          break;
        case 'n':
          decoded += '\n';
          break;
        case 'r':
          decoded += '\r';
          break;
        case 't':
          decoded += '\t';
          break;
        case 'u': {
          unsigned cp = 0;
          if (!hex4(cp)) return false;
          if (cp >= 0xD800 && cp <= 0xDBFF && end_ - p_ >= 6 && p_[0] == '\\' && p_[1] == 'u') {
            p_ += 2;
            unsigned lo = 0;
            if (!hex4(lo)) return false;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          }
          text::append_utf8(decoded, cp);
          break;
        }
        default:
          return fail("invalid escape");
      }
    }
    if (p_ == end_) return fail("unterminated string");
    ++p_;
    char* copy = static_cast<char*>(doc_.allocate(decoded.size() + 1));
    std::memcpy(copy, decoded.data(), decoded.size());
    copy[decoded.size()] = '\0';
    out = std::string_view(copy, decoded.size());
    return true;
  }

  bool array(JsonValue& out, int depth) {
    ++p_;
    std::size_t mark = values_.size();
    skip_ws();
    if (p_ != end_ && *p_ == ']') {
      ++p_;
    } else {
      for (;;) {
        skip_ws();
        JsonValue v;
        if (!value(v, depth + 1)) return false;
        values_.push_back(v);
        skip_ws();
        if (p_ == end_) return fail("unterminated array");
        if (*p_ == ',') {
          ++p_;
          continue;
        }
        if (*p_ == ']') {
          ++p_;
          break;
        }
        return fail("expected ',' or ']'");
      }
    }
    std::size_t n = values_.size() - mark;
    auto* items = static_cast<JsonValue*>(doc_.allocate(sizeof(JsonValue) * (n ? n : 1)));
    std::copy(values_.begin() + static_cast<std::ptrdiff_t>(mark), values_.end(), items);
    values_.resize(mark);
    out.type = JsonValue::Type::kArray;
    out.size = static_cast<std::uint32_t>(n);
    out.u.arr = items;
    return true;
  }

  bool object(JsonValue& out, int depth) {
    ++p_;
    std::size_t mark = members_.size();
    skip_ws();
    if (p_ != end_ && *p_ == '}') {
      ++p_;
    } else {
      for (;;) {
        skip_ws();
        if (p_ == end_ || *p_ != '"') return fail("expected object key");
        JsonMember m;
        if (!string(m.key)) return false;
        skip_ws();
        if (p_ == end_ || *p_ != ':') return fail("expected ':'");
        ++p_;
        skip_ws();
        if (!value(m.value, depth + 1)) return false;
        members_.push_back(m);
        skip_ws();
        if (p_ == end_) return fail("unterminated object");
        if (*p_ == ',') {
          ++p_;
          continue;
        }
        if (*p_ == '}') {
          ++p_;
          break;
        }
        return fail("expected ',' or '}'");
      }
    }
    std::size_t n = members_.size() - mark;
    auto* items = static_cast<JsonMember*>(doc_.allocate(sizeof(JsonMember) * (n ? n : 1)));
    std::copy(members_.begin() + static_cast<std::ptrdiff_t>(mark), members_.end(), items);
    members_.resize(mark);
    out.type = JsonValue::Type::kObject;
    out.size = static_cast<std::uint32_t>(n);
    out.u.obj = items;
    return true;
  }

  JsonDocument& doc_;
  const char* p_;
  const char* begin_;
  const char* end_;
  std::vector<JsonValue> values_;
  std::vector<JsonMember> members_;
};

bool JsonDocument::parse(std::string text) {
  text_ = std::move(text);
  blocks_.clear();
  block_used_ = block_size_ = arena_bytes_ = 0;
  error_.clear();
  auto* root = static_cast<JsonValue*>(allocate(sizeof(JsonValue)));
  *root = JsonValue{};
  JsonParser parser(*this, text_.data(), text_.data() + text_.size());
  if (!parser.run(*root)) {
    error_ = parser.error;
    root_ = nullptr;
    return false;
  }
  root_ = root;
  return true;
}

}  // namespace schemagate::sql
