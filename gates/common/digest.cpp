#include "gates/common/digest.hpp"

namespace schemagate::digest {

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
  EVP_DigestInit_ex(ctx_, EVP_sha256(), nullptr);
}

Sha256::~Sha256() {
  EVP_MD_CTX_free(ctx_);
}

Sha256& Sha256::add(std::string_view bytes) {
  EVP_DigestUpdate(ctx_, bytes.data(), bytes.size());
  return *this;
}

Sha256& Sha256::add_framed(std::string_view bytes) {
  std::uint64_t n = bytes.size();
  EVP_DigestUpdate(ctx_, &n, sizeof(n));
  return add(bytes);
}

std::string Sha256::digest() {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx_, out, &len);
  return std::string(reinterpret_cast<const char*>(out), len);
}

std::string Sha256::hex() {
  return to_hex(digest());
}

std::string sha256(std::string_view bytes) {
  return Sha256().add(bytes).digest();
}

std::string to_hex(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char c : bytes) {
    auto b = static_cast<unsigned char>(c);
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return out;
}

}  // namespace schemagate::digest
