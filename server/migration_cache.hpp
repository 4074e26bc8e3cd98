// Parsed migration sets, shared by content (ARCHITECTURE.md §1): 500 tenant Jobs
// that mount one ConfigMap parse it once. The key is computed from the inputs
// before any parsing, from the SHA-256 of each text the view took at ingest, so a
// hit costs a map lookup on a few hundred bytes.
#pragma once

#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "gates/sql/migration.hpp"

namespace schemagate::server {

class MigrationCache {
 public:
  struct Limits {
    std::size_t max_sets = 256;
    std::size_t max_bytes = 256u << 20;  // estimated parsed size (texts and trees)
  };
  MigrationCache() : MigrationCache(Limits{}) {}
  explicit MigrationCache(Limits limits) : limits_(limits) {}

  // The parsed set for these inputs and options, from the cache or parsed now.
  // Thread-safe; parsing happens outside the lock, so a slow parse never holds up
  // hits for other sets (two threads missing the same key both parse; one wins).
  // `fill`, when given, completes the inputs' texts on a miss only: an input with a
  // digest may come without its text, so a hit never copies the migrations.
  std::shared_ptr<const sql::MigrationSet> get(
      std::vector<sql::MigrationInput> inputs, const sql::LoadOptions& options,
      const std::function<void(std::vector<sql::MigrationInput>&)>& fill = nullptr);

  // The options, then each input's name and SHA-256 in name order, length-prefixed:
  // a few dozen bytes per file, compared in full by the map.
  static std::string key_of(const std::vector<sql::MigrationInput>& inputs, const sql::LoadOptions& options);

  std::uint64_t hits() const;
  std::uint64_t misses() const;
  std::size_t size() const;
  std::size_t bytes() const;

 private:
  struct Entry {
    std::string key;
    std::shared_ptr<const sql::MigrationSet> set;
    std::size_t cost = 0;
  };
  void evict_locked();

  Limits limits_;
  mutable std::mutex mu_;
  std::list<Entry> lru_;  // front = most recently used
  std::unordered_map<std::string, std::list<Entry>::iterator> index_;
  std::size_t bytes_ = 0;
  std::uint64_t hits_ = 0;
  std::uint64_t misses_ = 0;
};

}  // namespace schemagate::server
