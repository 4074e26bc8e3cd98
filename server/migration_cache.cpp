#include "server/migration_cache.hpp"

#include <openssl/evp.h>

#include <algorithm>

namespace schemagate::server {
namespace {

struct DigestCtx {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ~DigestCtx() { EVP_MD_CTX_free(ctx); }
  DigestCtx() = default;
  DigestCtx(const DigestCtx&) = delete;
  DigestCtx& operator=(const DigestCtx&) = delete;
};

void update(EVP_MD_CTX* ctx, const std::string& s) {
  std::uint64_t n = s.size();
  EVP_DigestUpdate(ctx, &n, sizeof(n));
  EVP_DigestUpdate(ctx, s.data(), s.size());
}

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
  DigestCtx d;
  EVP_DigestInit_ex(d.ctx, EVP_sha256(), nullptr);
  // The parse depends on the PostgreSQL major (lock model) and a forced format.
  update(d.ctx, std::to_string(options.pg_major));
  update(d.ctx, options.format ? std::string(sql::format_name(*options.format)) : std::string("auto"));
  for (const auto* in : sorted) {
    update(d.ctx, in->name);
    update(d.ctx, in->text);
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(d.ctx, digest, &len);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 15];
  }
  return out;
}

std::shared_ptr<const sql::MigrationSet> MigrationCache::get(std::vector<sql::MigrationInput> inputs,
                                                             const sql::LoadOptions& options) {
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
