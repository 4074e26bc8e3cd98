// GCC 12 reports -Wnull-dereference inside Asio's scheduler and shared_ptr code
// once inlined here (false positives in system headers); only this file's
// Asio instantiations are affected, so the warning is off for this file alone.
#pragma GCC diagnostic ignored "-Wnull-dereference"

#include "server/listener.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

namespace schemagate::server {

namespace beast = boost::beast;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {
// Accept failures such as EMFILE repeat until a descriptor frees up: pause
// rather than spin on the acceptor.
constexpr std::chrono::milliseconds kAcceptBackoff{50};
}  // namespace

Listener::Listener(net::io_context& ioc, const tcp::endpoint& endpoint, const TlsReloader& tls,
                   SessionShared& shared, std::size_t max_connections)
    : ioc_(ioc),
      acceptor_(net::make_strand(ioc)),
      backoff_(acceptor_.get_executor()),
      tls_(tls),
      shared_(shared),
      max_connections_(max_connections) {
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(net::socket_base::reuse_address(true));
  acceptor_.bind(endpoint);
  acceptor_.listen(net::socket_base::max_listen_connections);
}

void Listener::run() {
  net::dispatch(acceptor_.get_executor(),
                beast::bind_front_handler(&Listener::do_accept, shared_from_this()));
}

void Listener::stop() {
  net::post(acceptor_.get_executor(), [self = shared_from_this()] {
    beast::error_code ignored;
    self->acceptor_.close(ignored);
    self->backoff_.cancel();
  });
}

void Listener::do_accept() {
  if (!acceptor_.is_open()) return;
  // Each connection gets its own strand: its handlers never run concurrently.
  acceptor_.async_accept(net::make_strand(ioc_),
                         beast::bind_front_handler(&Listener::on_accept, shared_from_this()));
}

void Listener::on_accept(beast::error_code ec, tcp::socket socket) {
  if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
  if (ec) {
    backoff_.expires_after(kAcceptBackoff);
    backoff_.async_wait([self = shared_from_this()](beast::error_code wait_ec) {
      if (!wait_ec) self->do_accept();
    });
    return;
  }
  if (shared_.sessions.size() >= max_connections_ || shared_.draining.load(std::memory_order_relaxed)) {
    beast::error_code ignored;
    socket.set_option(net::socket_base::linger(true, 0), ignored);  // RST: free the slot now
    socket.close(ignored);
    shared_.metrics->count_rejected_connection();
  } else {
    beast::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);  // small responses: don't wait for Nagle
    auto session = std::make_shared<Session>(std::move(socket), tls_.current(), shared_);
    shared_.sessions.add(session);
    session->run();
  }
  do_accept();
}

}  // namespace schemagate::server
