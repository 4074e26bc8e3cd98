#include "server/tls.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/stat.h>

#include <boost/asio/ssl/context.hpp>
#include <stdexcept>

namespace schemagate::server {

namespace ssl = boost::asio::ssl;

namespace {

// Mozilla "intermediate" TLS 1.2 suites: forward secret AEAD only. TLS 1.3 suites
// are OpenSSL's defaults (all AEAD).
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

std::string openssl_error(const std::string& what, const boost::system::error_code& ec) {
  std::string msg = what + ": " + ec.message();
  if (unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    msg += " (";
    msg += buf;
    msg += ")";
  }
  ERR_clear_error();
  return msg;
}

}  // namespace

std::shared_ptr<ssl::context> make_server_tls_context(const std::string& cert_path,
                                                      const std::string& key_path, std::string& error) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  SSL_CTX* native = ctx->native_handle();
  // TLS 1.0/1.1 are deprecated (RFC 8996); the kube-apiserver speaks 1.2 and 1.3.
  if (SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION) != 1 ||
      SSL_CTX_set_cipher_list(native, kTls12Ciphers) != 1) {
    error = "cannot configure TLS protocol versions or ciphers";
    return nullptr;
  }
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_compression |
                   ssl::context::single_dh_use);
  // Renegotiation is a DoS lever and nothing we serve needs it.
  SSL_CTX_set_options(native, SSL_OP_NO_RENEGOTIATION);
  boost::system::error_code ec;
  ctx->use_certificate_chain_file(cert_path, ec);
  if (ec) {
    error = openssl_error("cannot load certificate " + cert_path, ec);
    return nullptr;
  }
  ctx->use_private_key_file(key_path, ssl::context::pem, ec);
  if (ec) {
    error = openssl_error("cannot load private key " + key_path, ec);
    return nullptr;
  }
  if (SSL_CTX_check_private_key(native) != 1) {
    ERR_clear_error();
    error = "private key " + key_path + " does not match certificate " + cert_path;
    return nullptr;
  }
  return ctx;
}

TlsReloader::TlsReloader(std::string cert_path, std::string key_path)
    : cert_path_(std::move(cert_path)), key_path_(std::move(key_path)) {
  cert_stamp_ = stamp_of(cert_path_);
  key_stamp_ = stamp_of(key_path_);
  std::string error;
  current_ = make_server_tls_context(cert_path_, key_path_, error);
  if (!current_) throw std::runtime_error(error);
}

TlsReloader::Stamp TlsReloader::stamp_of(const std::string& path) {
  Stamp s;
  struct stat st {};
  // stat (not lstat) follows the `..data` symlink chain to the file itself.
  if (::stat(path.c_str(), &st) != 0) return s;
  s.dev = st.st_dev;
  s.ino = st.st_ino;
  s.size = st.st_size;
  s.mtime_ns = static_cast<long long>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec;
  s.ctime_ns = static_cast<long long>(st.st_ctim.tv_sec) * 1000000000LL + st.st_ctim.tv_nsec;
  return s;
}

std::shared_ptr<ssl::context> TlsReloader::current() const {
  std::lock_guard lock(mu_);
  return current_;
}

TlsReloader::Poll TlsReloader::poll() {
  Stamp cert = stamp_of(cert_path_);
  Stamp key = stamp_of(key_path_);
  if (cert == cert_stamp_ && key == key_stamp_) return Poll::kUnchanged;
  cert_stamp_ = cert;
  key_stamp_ = key;
  std::string error;
  auto ctx = make_server_tls_context(cert_path_, key_path_, error);
  std::lock_guard lock(mu_);
  if (!ctx) {
    last_error_ = std::move(error);
    return Poll::kFailed;
  }
  current_ = std::move(ctx);
  last_error_.clear();
  return Poll::kReloaded;
}

std::string TlsReloader::last_error() const {
  std::lock_guard lock(mu_);
  return last_error_;
}

}  // namespace schemagate::server
