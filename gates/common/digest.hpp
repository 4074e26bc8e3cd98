// SHA-256 (OpenSSL EVP) for content keys: parse-cache keys, migration set hashes,
// plan content hashes, ConfigMap SQL digests taken when a view ingests them.
#pragma once

#include <openssl/evp.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace schemagate::digest {

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  Sha256& add(std::string_view bytes);
  // Its length (8 bytes, host order) and then the bytes: concatenations cannot collide.
  Sha256& add_framed(std::string_view bytes);
  std::string digest();  // the 32 raw bytes; the object is spent afterwards
  std::string hex();     // the digest, 64 lower-case hex digits

 private:
  EVP_MD_CTX* ctx_;
};

// SHA-256 of `bytes`: 32 raw bytes.
std::string sha256(std::string_view bytes);
std::string to_hex(std::string_view bytes);

}  // namespace schemagate::digest
