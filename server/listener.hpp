// Owns the acceptor: accepts each connection onto its own strand and starts a
// Session, unless --max-connections are open (then the socket is closed at once
// and counted). Included by server/*.cpp only.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/error.hpp>
#include <memory>

#include "server/session.hpp"
#include "server/tls.hpp"

namespace schemagate::server {

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  // Throws boost::system::system_error when the address cannot be bound (start-up).
  Listener(boost::asio::io_context& ioc, const boost::asio::ip::tcp::endpoint& endpoint,
           const TlsReloader& tls, SessionShared& shared, std::size_t max_connections);

  void run();
  // Stops accepting; open sessions are left to the caller's drain.
  void stop();
  boost::asio::ip::tcp::endpoint local_endpoint() const { return acceptor_.local_endpoint(); }

 private:
  void do_accept();
  void on_accept(boost::beast::error_code ec, boost::asio::ip::tcp::socket socket);

  boost::asio::io_context& ioc_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer backoff_;
  const TlsReloader& tls_;
  SessionShared& shared_;
  std::size_t max_connections_;
};

}  // namespace schemagate::server
