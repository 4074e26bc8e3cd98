// A fixed-rate HTTPS load generator for the webhook benchmark: wrk has no rate
// limit and h2load reports no percentiles. C connections (one thread each, TLS
// keep-alive) share a schedule of RATE requests per second; each request's
// latency is measured from its *scheduled* send time, so a stall that delays
// later sends is counted against them (no coordinated omission).
//
//   rate_client HOST PORT PATH BODY_FILE RATE SECONDS CONNECTIONS [WARMUP_SECONDS]
#include <algorithm>
#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

int main(int argc, char** argv) {
  if (argc < 8) {
    std::fprintf(stderr, "usage: rate_client HOST PORT PATH BODY_FILE RATE SECONDS CONNECTIONS [WARMUP]\n");
    return 2;
  }
  const std::string host = argv[1], port = argv[2], path = argv[3];
  std::ifstream in(argv[4], std::ios::binary);
  const std::string body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const double rate = std::stod(argv[5]);
  const double seconds = std::stod(argv[6]);
  const int conns = std::stoi(argv[7]);
  const double warmup = argc > 8 ? std::stod(argv[8]) : 2.0;
  const long total = static_cast<long>((seconds + warmup) * rate);
  const long skip = static_cast<long>(warmup * rate);

  std::mutex mu;
  std::vector<double> latencies_us;
  std::atomic<long> errors{0}, non200{0};
  const auto start = Clock::now() + std::chrono::milliseconds(500);  // time for every handshake
  auto at = [&](long i) {
    return start + std::chrono::nanoseconds(static_cast<long long>(static_cast<double>(i) * 1e9 / rate));
  };

  std::vector<std::thread> threads;
  threads.reserve(static_cast<std::size_t>(conns));
  for (int c = 0; c < conns; ++c) {
    threads.emplace_back([&, c] {
      std::vector<double> mine;
      try {
        net::io_context ioc;
        ssl::context ctx(ssl::context::tls_client);
        ctx.set_verify_mode(ssl::verify_none);  // loopback benchmark against a self-signed cert
        beast::ssl_stream<beast::tcp_stream> stream(ioc, ctx);
        tcp::resolver resolver(ioc);
        beast::get_lowest_layer(stream).connect(resolver.resolve(host, port));
        beast::get_lowest_layer(stream).socket().set_option(tcp::no_delay(true));
        stream.handshake(ssl::stream_base::client);
        http::request<http::string_body> req{http::verb::post, path, 11};
        req.set(http::field::host, host);
        req.set(http::field::content_type, "application/json");
        req.body() = body;
        req.prepare_payload();
        beast::flat_buffer buffer;
        for (long i = c; i < total; i += conns) {
          auto due = at(i);
          std::this_thread::sleep_until(due);
          http::write(stream, req);
          http::response<http::string_body> res;
          http::read(stream, buffer, res);
          auto done = Clock::now();
          if (res.result_int() != 200) non200++;
          if (i >= skip) mine.push_back(std::chrono::duration<double, std::micro>(done - due).count());
        }
      } catch (const std::exception& e) {
        std::fprintf(stderr, "connection %d: %s\n", c, e.what());
        errors++;
      }
      std::lock_guard lock(mu);
      latencies_us.insert(latencies_us.end(), mine.begin(), mine.end());
    });
  }
  for (auto& t : threads)
    t.join();
  std::sort(latencies_us.begin(), latencies_us.end());
  auto pct = [&](double p) {
    if (latencies_us.empty()) return 0.0;
    auto idx =
        static_cast<std::size_t>(std::lround(p / 100.0 * static_cast<double>(latencies_us.size() - 1)));
    return latencies_us[idx];
  };
  std::printf("requests %zu (after %.0f s warm-up) at %.0f/s over %d connections, non-200 %ld, errors %ld\n",
              latencies_us.size(), warmup, rate, conns, non200.load(), errors.load());
  std::printf("latency_us p50 %.0f p90 %.0f p99 %.0f p99.9 %.0f max %.0f\n", pct(50), pct(90), pct(99),
              pct(99.9), latencies_us.empty() ? 0.0 : latencies_us.back());
  return errors.load() || non200.load() ? 1 : 0;
}
