// Memoized findings of the gates whose result depends only on the migration set,
// the policy and the session settings (lint and rollback). 500 tenant Jobs sharing
// one ConfigMap run those gates once; per request the engine still applies the
// namespace's severities, suppressions and approvals, so a hit gives the same
// verdict, byte for byte, as a miss. Bounded (LRU) and thread-safe.
#pragma once

#include <cstddef>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "gates/gate.hpp"

namespace schemagate::gates {

class FindingCache {
 public:
  explicit FindingCache(std::size_t capacity = 1024) : capacity_(capacity) {}

  std::shared_ptr<const std::vector<Finding>> find(const std::string& key);
  void insert(const std::string& key, std::shared_ptr<const std::vector<Finding>> findings);

  std::size_t hits() const;
  std::size_t misses() const;
  std::size_t size() const;

 private:
  using Entry = std::pair<std::string, std::shared_ptr<const std::vector<Finding>>>;
  std::size_t capacity_;
  mutable std::mutex mu_;
  std::list<Entry> lru_;  // most recent first
  std::unordered_map<std::string, std::list<Entry>::iterator> index_;
  std::size_t hits_ = 0;
  std::size_t misses_ = 0;
};

}  // namespace schemagate::gates
