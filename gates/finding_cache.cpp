#include "gates/finding_cache.hpp"

namespace schemagate::gates {

std::shared_ptr<const std::vector<Finding>> FindingCache::find(const std::string& key) {
  std::lock_guard lock(mu_);
  auto it = index_.find(key);
  if (it == index_.end()) {
    ++misses_;
    return nullptr;
  }
  lru_.splice(lru_.begin(), lru_, it->second);
  ++hits_;
  return it->second->second;
}

void FindingCache::insert(const std::string& key, std::shared_ptr<const std::vector<Finding>> findings) {
  std::lock_guard lock(mu_);
  if (auto it = index_.find(key); it != index_.end()) {
    it->second->second = std::move(findings);
    lru_.splice(lru_.begin(), lru_, it->second);
    return;
  }
  lru_.emplace_front(key, std::move(findings));
  index_[key] = lru_.begin();
  while (lru_.size() > capacity_) {
    index_.erase(lru_.back().first);
    lru_.pop_back();
  }
}

std::size_t FindingCache::hits() const {
  std::lock_guard lock(mu_);
  return hits_;
}

std::size_t FindingCache::misses() const {
  std::lock_guard lock(mu_);
  return misses_;
}

std::size_t FindingCache::size() const {
  std::lock_guard lock(mu_);
  return lru_.size();
}

}  // namespace schemagate::gates
