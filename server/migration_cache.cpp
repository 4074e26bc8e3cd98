#include "server/migration_cache.hpp"

#include <algorithm>

#include "gates/common/digest.hpp"

namespace schemagate::server {
namespace {

// What a parsed set holds beyond its text: statement trees dominate. The estimate
// only has to keep the cache's memory in the right order of magnitude.
std::size_t estimated_cost(const sql::MigrationSet& set) {
  std::size_t bytes = sizeof(sql::MigrationSet);
  for (const auto& src : set.sources)
    bytes += src->text().size() * 2 + src->name().size();
  bytes += set.statement_count() * 8192;
  return bytes;
}

}  // namespace

std::string MigrationCache::key_of(const std::vector<sql::MigrationInput>& inputs,
                                   const sql::LoadOptions& options) {
  std::vector<const sql::MigrationInput*> sorted;
  sorted.reserve(inputs.size());
  for (const auto& in : inputs)
    sorted.push_back(&in);
  std::sort(sorted.begin(), sorted.end(), [](const auto* a, const auto* b) { return a->name < b->name; });
  // The key is the exact framed content, not a hash of it: the map compares keys in
  // full, so no two inputs can share an entry. The PostgreSQL major (lock model) and a
  // forced format change the parse.
  std::string key;
  auto framed = [&key](std::string_view part) {
    std::uint64_t n = part.size();
    key.append(reinterpret_cast<const char*>(&n), sizeof(n)).append(part);
  };
  framed(std::to_string(options.pg_major));
  framed(options.format ? sql::format_name(*options.format) : std::string_view("auto"));
  // Each text by its SHA-256: the one the view took when it ingested the ConfigMap,
  // so a warm review neither hashes nor copies the migrations into the key.
  for (const auto* in : sorted) {
    framed(in->name);
    framed(in->digest.empty() ? digest::sha256(in->text) : in->digest);
  }
  return key;
}

std::shared_ptr<const sql::MigrationSet> MigrationCache::get(
    std::vector<sql::MigrationInput> inputs, const sql::LoadOptions& options,
    const std::function<void(std::vector<sql::MigrationInput>&)>& fill) {
  std::string key = key_of(inputs, options);
  {
    std::lock_guard lock(mu_);
    if (auto it = index_.find(key); it != index_.end()) {
      lru_.splice(lru_.begin(), lru_, it->second);
      ++hits_;
      return it->second->set;
    }
    ++misses_;
  }
  if (fill) fill(inputs);
  std::shared_ptr<const sql::MigrationSet> set = sql::build_migration_set(std::move(inputs), options);
  std::size_t cost = estimated_cost(*set);
  std::lock_guard lock(mu_);
  if (auto it = index_.find(key); it != index_.end()) return it->second->set;  // another thread won
  if (cost > limits_.max_bytes) return set;  // too big to keep: used once, then freed
  lru_.push_front(Entry{key, set, cost});
  index_.emplace(std::move(key), lru_.begin());
  bytes_ += cost;
  evict_locked();
  return set;
}

void MigrationCache::evict_locked() {
  while (!lru_.empty() && (lru_.size() > limits_.max_sets || bytes_ > limits_.max_bytes)) {
    // Evicting drops only the cache's reference: a request still using the set keeps it alive.
    bytes_ -= lru_.back().cost;
    index_.erase(lru_.back().key);
    lru_.pop_back();
  }
}

std::uint64_t MigrationCache::hits() const {
  std::lock_guard lock(mu_);
  return hits_;
}
std::uint64_t MigrationCache::misses() const {
  std::lock_guard lock(mu_);
  return misses_;
}
std::size_t MigrationCache::size() const {
  std::lock_guard lock(mu_);
  return lru_.size();
}
std::size_t MigrationCache::bytes() const {
  std::lock_guard lock(mu_);
  return bytes_;
}

}  // namespace schemagate::server
