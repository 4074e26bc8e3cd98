// Server TLS: the ssl::context (TLS 1.2 minimum, 1.3 offered) and its reload when
// the certificate or key files change. Kubernetes rotates a mounted Secret by
// swapping the `..data` symlink, so files are compared after resolving links.
#pragma once

#include <sys/types.h>

#include <memory>
#include <mutex>
#include <string>

namespace boost::asio::ssl {
class context;
}

namespace schemagate::server {

// Builds a server context from PEM files (the cert file may hold the chain).
// Returns null and sets `error` on an unreadable file or a key that does not
// match the certificate.
std::shared_ptr<boost::asio::ssl::context> make_server_tls_context(const std::string& cert_path,
                                                                   const std::string& key_path,
                                                                   std::string& error);

class TlsReloader {
 public:
  enum class Poll { kUnchanged, kReloaded, kFailed };

  // Throws std::runtime_error when the first pair cannot be loaded (start-up).
  TlsReloader(std::string cert_path, std::string key_path);

  // The newest good context; sessions keep the one they started with.
  std::shared_ptr<boost::asio::ssl::context> current() const;

  // Stats both files; when either changed, loads the new pair. A broken pair
  // keeps the old context (kFailed, see last_error()); it is not retried until
  // one of the files changes again.
  Poll poll();
  std::string last_error() const;

 private:
  struct Stamp {
    dev_t dev = 0;
    ino_t ino = 0;
    off_t size = 0;
    long long mtime_ns = 0;
    long long ctime_ns = 0;
    bool operator==(const Stamp&) const = default;
  };
  static Stamp stamp_of(const std::string& path);

  std::string cert_path_;
  std::string key_path_;
  Stamp cert_stamp_;
  Stamp key_stamp_;
  mutable std::mutex mu_;
  std::shared_ptr<boost::asio::ssl::context> current_;
  std::string last_error_;
};

}  // namespace schemagate::server
