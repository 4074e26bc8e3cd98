#include "server/session.hpp"

#include <algorithm>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/detect_ssl.hpp>
#include <string_view>

namespace schemagate::server {

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace net = boost::asio;

namespace {

// Sent to a client that speaks plain HTTP to the TLS port, so the mistake is
// visible (as Go's net/http does) instead of a bare connection reset.
constexpr std::string_view kPlainHttpRefusal =
    "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n"
    "Content-Length: 43\r\n\r\nthis port speaks HTTPS: use https:// here.\n";
static_assert(std::string_view("this port speaks HTTPS: use https:// here.\n").size() == 43);

constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

// Request headers of an AdmissionReview are small; Beast's 8 KiB default
// (nginx uses 8 KiB buffers too) is the limit, beyond it 431.
constexpr std::uint32_t kHeaderLimit = 8 * 1024;

// After a 413 the client may still be sending its body; reading it for a short
// while lets the client see the answer instead of a reset (nginx's lingering_close).
constexpr std::chrono::milliseconds kLingerAfterError{2000};

// How long a close_notify exchange may take before the socket is just closed.
constexpr std::chrono::milliseconds kCloseTimeout{2000};

bool is_parse_error(const beast::error_code& ec) {
  return ec.category() == http::make_error_code(http::error::bad_target).category();
}

}  // namespace

// SessionSet ---------------------------------------------------------------

void SessionSet::add(const std::shared_ptr<Session>& session) {
  std::lock_guard lock(mu_);
  live_.emplace(session.get(), session);
}

void SessionSet::remove(const Session* session) {
  std::lock_guard lock(mu_);
  live_.erase(session);
}

std::size_t SessionSet::size() const {
  std::lock_guard lock(mu_);
  return live_.size();
}

void SessionSet::for_each(const std::function<void(const std::shared_ptr<Session>&)>& fn) const {
  std::vector<std::shared_ptr<Session>> alive;
  {
    std::lock_guard lock(mu_);
    alive.reserve(live_.size());
    for (const auto& [ptr, weak] : live_) {
      if (auto s = weak.lock()) alive.push_back(std::move(s));
    }
  }
  for (const auto& s : alive)
    fn(s);
}

// Session ------------------------------------------------------------------

Session::Session(net::ip::tcp::socket&& socket, std::shared_ptr<net::ssl::context> tls, SessionShared& shared)
    : tls_(std::move(tls)), stream_(std::move(socket), *tls_), shared_(shared) {
  shared_.metrics->connection_opened();
}

Session::~Session() {
  shared_.sessions.remove(this);
  shared_.metrics->connection_closed();
}

void Session::run() {
  // The socket was accepted onto its own strand; start there.
  net::dispatch(stream_.get_executor(), beast::bind_front_handler(&Session::do_detect, shared_from_this()));
}

void Session::drain() {
  net::post(stream_.get_executor(), beast::bind_front_handler(&Session::on_drain, shared_from_this()));
}

void Session::on_drain() {
  close_after_write_ = true;
  if (waiting_for_request()) beast::get_lowest_layer(stream_).cancel();
}

bool Session::waiting_for_request() const {
  if (phase_ == Phase::kHandshake) return true;
  return phase_ == Phase::kWaiting && buffer_.size() == 0 && !(parser_ && parser_->got_some());
}

void Session::do_detect() {
  // One deadline for TLS detection and the whole handshake.
  beast::get_lowest_layer(stream_).expires_after(shared_.limits.handshake_timeout);
  beast::async_detect_ssl(beast::get_lowest_layer(stream_), buffer_,
                          beast::bind_front_handler(&Session::on_detect, shared_from_this()));
}

void Session::on_detect(beast::error_code ec, bool is_tls) {
  if (ec) return;  // timeout, reset or drain: nothing was asked
  if (!is_tls) return do_refuse_plain_http();
  stream_.async_handshake(net::ssl::stream_base::server, buffer_.data(),
                          beast::bind_front_handler(&Session::on_handshake, shared_from_this()));
}

void Session::do_refuse_plain_http() {
  shared_.metrics->count_http(400);
  net::async_write(beast::get_lowest_layer(stream_),
                   net::buffer(kPlainHttpRefusal.data(), kPlainHttpRefusal.size()),
                   [self = shared_from_this()](beast::error_code, std::size_t) {
                     beast::error_code ignored;
                     beast::get_lowest_layer(self->stream_)
                         .socket()
                         .shutdown(net::ip::tcp::socket::shutdown_send, ignored);
                   });
}

void Session::on_handshake(beast::error_code ec, std::size_t bytes_used) {
  if (ec) return;
  buffer_.consume(bytes_used);
  do_read_header();
}

void Session::do_read_header() {
  if (close_after_write_ && buffer_.size() == 0) return do_close();  // draining, nothing pipelined
  parser_.emplace();
  parser_->header_limit(kHeaderLimit);
  parser_->body_limit(shared_.limits.max_body_bytes);
  phase_ = Phase::kWaiting;
  // Between keep-alive requests the client may idle; a request that has begun
  // must arrive within the read timeout (the body read below resets it).
  beast::get_lowest_layer(stream_).expires_after(served_any_ ? shared_.limits.idle_timeout
                                                             : shared_.limits.read_timeout);
  http::async_read_header(stream_, buffer_, *parser_,
                          beast::bind_front_handler(&Session::on_read_header, shared_from_this()));
}

void Session::on_read_header(beast::error_code ec, std::size_t) {
  phase_ = Phase::kBusy;
  if (ec == http::error::end_of_stream) return do_close();
  if (ec == http::error::body_limit) return send_error(413, "request body too large");
  if (ec == http::error::header_limit) return send_error(431, "request header fields too large");
  if (ec && is_parse_error(ec)) return send_error(400, "malformed HTTP request");
  if (ec) return;  // timeout, reset, TLS error or drain: drop the connection

  if (beast::iequals(parser_->get()[http::field::expect], "100-continue")) {
    net::async_write(stream_, net::buffer(kContinue.data(), kContinue.size()),
                     beast::bind_front_handler(&Session::on_continue, shared_from_this()));
    return;
  }
  do_read_body();
}

void Session::on_continue(beast::error_code ec, std::size_t) {
  if (ec) return;
  do_read_body();
}

void Session::do_read_body() {
  beast::get_lowest_layer(stream_).expires_after(shared_.limits.read_timeout);
  http::async_read(stream_, buffer_, *parser_,
                   beast::bind_front_handler(&Session::on_read_body, shared_from_this()));
}

void Session::on_read_body(beast::error_code ec, std::size_t) {
  if (ec == http::error::body_limit) return send_error(413, "request body too large");
  if (ec && is_parse_error(ec)) return send_error(400, "malformed HTTP request");
  if (ec) return;
  handle_request();
}

void Session::handle_request() {
  Request& req = parser_->get();
  HttpRequest request{req.method_string(), req.target(), req[http::field::content_type], req.body()};
  HttpResponse out = shared_.router->handle(request);

  response_ = {};
  response_.version(req.version());
  response_.result(static_cast<unsigned>(out.status));
  response_.set(http::field::server, "schemagate");
  response_.set(http::field::content_type, out.content_type);
  if (!out.allow.empty()) response_.set(http::field::allow, out.allow);
  response_.body() = std::move(out.body);
  if (!req.keep_alive() || shared_.draining.load(std::memory_order_relaxed)) close_after_write_ = true;
  response_.keep_alive(!close_after_write_);
  response_.prepare_payload();
  parser_.reset();  // the request body may be megabytes: free it before the write
  do_write();
}

void Session::send_error(unsigned status, std::string_view message) {
  shared_.metrics->count_http(static_cast<int>(status));
  response_ = {};
  response_.version(11);
  response_.result(status);
  response_.set(http::field::server, "schemagate");
  response_.set(http::field::content_type, "application/json");
  response_.body() = error_json(message);
  response_.keep_alive(false);
  response_.prepare_payload();
  close_after_write_ = true;
  discard_after_write_ = status == 413;
  parser_.reset();
  do_write();
}

void Session::do_write() {
  // A client that does not read its answer is held to the read timeout too.
  beast::get_lowest_layer(stream_).expires_after(shared_.limits.read_timeout);
  http::async_write(stream_, response_, beast::bind_front_handler(&Session::on_write, shared_from_this()));
}

void Session::on_write(beast::error_code ec, std::size_t) {
  if (ec) return;
  served_any_ = true;
  response_ = {};
  if (discard_after_write_) {
    discard_until_ =
        std::chrono::steady_clock::now() + std::min(kLingerAfterError, shared_.limits.read_timeout);
    return do_discard();
  }
  if (close_after_write_) return do_close();
  do_read_header();
}

void Session::do_discard() {
  buffer_.consume(buffer_.size());
  beast::get_lowest_layer(stream_).expires_at(discard_until_);
  stream_.async_read_some(buffer_.prepare(16 * 1024),
                          beast::bind_front_handler(&Session::on_discard, shared_from_this()));
}

void Session::on_discard(beast::error_code ec, std::size_t bytes) {
  if (ec) return;  // end of stream, timeout: done lingering
  buffer_.commit(bytes);
  do_discard();
}

void Session::do_close() {
  beast::get_lowest_layer(stream_).expires_after(kCloseTimeout);
  stream_.async_shutdown(beast::bind_front_handler(&Session::on_close, shared_from_this()));
}

void Session::on_close(beast::error_code) {
  // Whatever the peer did with our close_notify, the socket closes with the session.
}

}  // namespace schemagate::server
