// The HTTP/1.1 server: Boost.Beast on one io_context per thread, each with its own
// SO_REUSEPORT acceptor, keep-alive, size and time limits, graceful shutdown.
//
// The server knows nothing about routes or sessions: it turns each request into an
// http::Request, calls the single handler given at construction, and writes the answer.
// Errors of the transport (body too large → 413, headers too large → 431, too slow → 408,
// malformed → 400) are answered here with a small application/problem+json body.
// Thread-safety: Start/Stop from one thread; the handler is called concurrently from all
// worker threads and must be thread-safe. Beast appears only in server.cc.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/result.h"
#include "http/message.h"

namespace pasip::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;  // 0 = any free port (see Server::port())
  unsigned threads = 0;       // 0 = one per core
  std::size_t max_header_bytes = 16 * 1024;
  std::size_t max_body_bytes = 1024 * 1024;
  // Connections open at once; more are closed as soon as accepted. Also bounded by the
  // process's open-file limit (raised to its hard maximum at start).
  std::size_t max_connections = 10000;
  std::chrono::milliseconds read_timeout{15000};  // to receive a whole request
  std::chrono::milliseconds idle_timeout{60000};  // keep-alive wait for the next request
  std::chrono::milliseconds shutdown_grace{10000};
  // Added to every response that lacks them, transport errors included (security headers).
  std::vector<std::pair<std::string, std::string>> default_headers;
};

// Called once per answered request, after the response is written (access log, metrics).
struct Exchange {
  const Request* request;  // may be partially filled for transport errors
  int status;
  std::size_t response_bytes;
  std::chrono::microseconds duration;
};

class Server {
 public:
  using RequestHandler = std::function<Response(Request&)>;
  using ExchangeObserver = std::function<void(const Exchange&)>;

  Server(ServerOptions options, RequestHandler handler, ExchangeObserver observer = {});
  ~Server();

  // Binds and starts the worker threads. Fails with kUnavailable if the address is taken.
  Status Start();
  // The bound port (useful with port 0).
  std::uint16_t port() const;
  // Stops accepting, lets in-flight requests finish (up to shutdown_grace), closes idle
  // keep-alive connections, joins the threads. Idempotent. Never call it from the handler:
  // it waits for the handler's own thread.
  void Stop();
  // Blocks until SIGINT or SIGTERM (or until Stop() is called from another thread), then
  // Stop()s. A second signal during the shutdown gets the default action (exit).
  void RunUntilSignal();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace pasip::http
