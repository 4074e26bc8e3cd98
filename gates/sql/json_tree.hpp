// A read-only JSON tree in one arena, built for libpg_query's parse-tree output.
//
// Why not nlohmann::json here: a parse tree is 10-20x the size of its SQL, and a
// node-per-allocation DOM made the analysis slower than the parse itself and held
// hundreds of MB for a 5 MB migration. This tree keeps string views into the JSON
// text (copying only strings with escapes), allocates in large blocks, and frees
// everything at once with the document.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace schemagate::sql {

struct JsonMember;

struct JsonValue {
  enum class Type : std::uint8_t { kNull, kBool, kInt, kDouble, kString, kArray, kObject };
  Type type = Type::kNull;
  std::uint32_t size = 0;  // string length, array length or member count
  union {
    bool b;
    std::int64_t i;
    double d;
    const char* s;
    const JsonValue* arr;
    const JsonMember* obj;
  } u{};
};

struct JsonMember {
  std::string_view key;
  JsonValue value;
};

// A handle on a value, or on nothing ("missing"): lookups on missing yield missing,
// so deep paths like node["relation"]["relname"].str() never need null checks.
class Node {
 public:
  Node() = default;
  explicit Node(const JsonValue* v) : v_(v) {}

  bool missing() const { return v_ == nullptr || v_->type == JsonValue::Type::kNull; }
  explicit operator bool() const { return !missing(); }
  bool is_object() const { return v_ && v_->type == JsonValue::Type::kObject; }
  bool is_array() const { return v_ && v_->type == JsonValue::Type::kArray; }
  bool is_string() const { return v_ && v_->type == JsonValue::Type::kString; }
  bool is_int() const { return v_ && v_->type == JsonValue::Type::kInt; }

  Node operator[](std::string_view key) const;
  Node at(std::size_t index) const;
  std::size_t size() const;  // array length / member count, 0 otherwise

  std::string_view str() const;  // "" unless a string
  std::int64_t integer(std::int64_t fallback = 0) const;
  double number(double fallback = 0) const;
  bool boolean() const;  // true only for JSON true (libpg_query omits false)

  // libpg_query wraps each node as {"TypeName": {...fields}}: tag() is the type
  // name, body() the fields. On anything else both are empty/missing.
  std::string_view tag() const;
  Node body() const;

  // Iteration over array elements (or nothing).
  class Iterator {
   public:
    Iterator(const JsonValue* p) : p_(p) {}
    Node operator*() const { return Node(p_); }
    Iterator& operator++() {
      ++p_;
      return *this;
    }
    bool operator!=(const Iterator& o) const { return p_ != o.p_; }

   private:
    const JsonValue* p_;
  };
  Iterator begin() const { return Iterator(is_array() ? v_->u.arr : nullptr); }
  Iterator end() const { return Iterator(is_array() ? v_->u.arr + v_->size : nullptr); }

  // Object members, for walking every field.
  const JsonMember* members_begin() const { return is_object() ? v_->u.obj : nullptr; }
  const JsonMember* members_end() const { return is_object() ? v_->u.obj + v_->size : nullptr; }

  const JsonValue* raw() const { return v_; }

 private:
  const JsonValue* v_ = nullptr;
};

// Owns the JSON text and the arena. Movable, not copyable.
class JsonDocument {
 public:
  JsonDocument() = default;
  JsonDocument(JsonDocument&&) noexcept = default;
  JsonDocument& operator=(JsonDocument&&) noexcept = default;
  JsonDocument(const JsonDocument&) = delete;
  JsonDocument& operator=(const JsonDocument&) = delete;

  // Parses `text` (taking ownership). On malformed JSON returns false and sets
  // error() to a message with the byte offset.
  bool parse(std::string text);
  Node root() const { return Node(root_); }
  const std::string& error() const { return error_; }
  std::size_t arena_bytes() const { return arena_bytes_; }

 private:
  friend class JsonParser;
  // Bump allocation in the current block; 8-byte aligned (the widest member).
  void* allocate(std::size_t bytes) {
    bytes = (bytes + 7) & ~std::size_t{7};
    if (block_used_ + bytes <= block_size_) {
      void* p = blocks_.back().get() + block_used_;
      block_used_ += bytes;
      return p;
    }
    return allocate_slow(bytes);
  }
  void* allocate_slow(std::size_t bytes);

  std::string text_;
  std::vector<std::unique_ptr<std::byte[]>> blocks_;
  std::size_t block_used_ = 0;
  std::size_t block_size_ = 0;
  std::size_t arena_bytes_ = 0;
  const JsonValue* root_ = nullptr;
  std::string error_;
};

}  // namespace schemagate::sql
