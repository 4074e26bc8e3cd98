// One client connection (Beast async-ssl / server-flex shape): detect TLS, handshake,
// then read request -> route -> write response, kept alive until the client or a
// deadline ends it. Every step runs on the connection's strand; the session lives
// as long as a handler holds shared_from_this(). Included by server/*.cpp only.
#pragma once

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "server/metrics.hpp"
#include "server/routes.hpp"

namespace schemagate::server {

struct ConnectionLimits {
  std::chrono::milliseconds handshake_timeout{10000};
  std::chrono::milliseconds read_timeout{10000};  // headers, then body, then the write
  std::chrono::milliseconds idle_timeout{60000};  // between keep-alive requests
  std::uint64_t max_body_bytes = 3u << 20;
};

class Session;

// Knows the open sessions without owning them, so a shutdown can ask each one to
// close once it is idle. Lifetimes stay with the async handlers.
class SessionSet {
 public:
  void add(const std::shared_ptr<Session>& session);
  void remove(const Session* session);
  std::size_t size() const;
  void for_each(const std::function<void(const std::shared_ptr<Session>&)>& fn) const;

 private:
  mutable std::mutex mu_;
  std::unordered_map<const Session*, std::weak_ptr<Session>> live_;
};

// What every session of one server shares; outlives the io_context.
struct SessionShared {
  const Router* router = nullptr;
  Metrics* metrics = nullptr;
  ConnectionLimits limits;
  SessionSet sessions;
  std::atomic<bool> draining{false};
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(boost::asio::ip::tcp::socket&& socket, std::shared_ptr<boost::asio::ssl::context> tls,
          SessionShared& shared);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  void run();
  // Shutdown: close now when waiting for a request, else after the response.
  void drain();

 private:
  using Request = boost::beast::http::request<boost::beast::http::string_body>;

  void do_detect();
  void on_detect(boost::beast::error_code ec, bool is_tls);
  void do_refuse_plain_http();
  void on_handshake(boost::beast::error_code ec, std::size_t bytes_used);
  void do_read_header();
  void on_read_header(boost::beast::error_code ec, std::size_t bytes);
  void on_continue(boost::beast::error_code ec, std::size_t bytes);
  void do_read_body();
  void on_read_body(boost::beast::error_code ec, std::size_t bytes);
  void on_drain();
  void handle_request();
  void send_error(unsigned status, std::string_view message);
  void do_write();
  void on_write(boost::beast::error_code ec, std::size_t bytes);
  void do_discard();
  void on_discard(boost::beast::error_code ec, std::size_t bytes);
  void do_close();
  void on_close(boost::beast::error_code ec);
  bool waiting_for_request() const;

  std::shared_ptr<boost::asio::ssl::context> tls_;  // declared first: outlives stream_
  boost::beast::ssl_stream<boost::beast::tcp_stream> stream_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  boost::beast::http::response<boost::beast::http::string_body> response_;
  SessionShared& shared_;
  // kWaiting: reading the header of the next request, which may not have begun.
  enum class Phase { kHandshake, kWaiting, kBusy } phase_ = Phase::kHandshake;
  bool served_any_ = false;
  bool close_after_write_ = false;
  bool discard_after_write_ = false;
  std::chrono::steady_clock::time_point discard_until_{};
};

}  // namespace schemagate::server
