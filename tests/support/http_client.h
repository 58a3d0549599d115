// A tiny blocking HTTP/1.1 client for tests, on plain POSIX sockets.
//
// It shares no code with the server (no Beast), so tests see the server as any client would.
// It keeps its connection alive between requests and reconnects when the server closed it;
// SendRaw and Write/ReadUntilClose give byte-level control for malformed or slow requests.
// Every read waits at most `timeout`. Thread-safety: none; use one client per thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"

namespace pasip::testing {

struct HeaderNameLess {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const;
};

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct HttpResponse {
  int status = 0;
  std::string reason;
  // Every header as received (several Set-Cookie stay separate); names without case.
  std::multimap<std::string, std::string, HeaderNameLess> headers;
  std::string body;

  // The first value of `name`, or empty.
  std::string Header(std::string_view name) const;
  std::vector<std::string> HeaderValues(std::string_view name) const;
  bool HasHeader(std::string_view name) const { return headers.count(name) > 0; }
};

class HttpClient {
 public:
  HttpClient(std::string host, std::uint16_t port,
             std::chrono::milliseconds timeout = std::chrono::seconds(5));
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends one request (adding Host and, when there is a body or the method is POST, PUT or
  // PATCH, Content-Length unless given) and reads the answer. Reuses the open connection;
  // if the server had closed it in the meantime, reconnects once. Fails with kUnavailable
  // when the server cannot be reached and kInternal when the answer is not valid HTTP.
  Result<HttpResponse> Send(std::string_view method, std::string_view target,
                            const HeaderList& headers = {}, std::string_view body = {});
  Result<HttpResponse> Get(std::string_view target, const HeaderList& headers = {}) {
    return Send("GET", target, headers);
  }

  // Sends `bytes` as they are on a fresh connection and returns everything received until
  // the server closes the connection or `timeout` passes without data.
  Result<std::string> SendRaw(std::string_view bytes);

  // Byte-level control: open (if needed), write without reading, read.
  Status Connect();
  Status Write(std::string_view bytes);
  // Reads one response on the current connection (skipping 100 Continue). `head` tells
  // that the request was HEAD, whose answer has no body whatever Content-Length says.
  Result<HttpResponse> ReadResponse(bool head = false);
  Result<std::string> ReadUntilClose();
  void Close();

  bool connected() const { return fd_ >= 0; }
  // How many TCP connections this client opened so far (to check keep-alive).
  int connections_opened() const { return connections_opened_; }

 private:
  // Appends at least one byte to buffer_; kUnavailable on timeout, error or EOF (eof_ set).
  Status Fill();
  Result<std::string> ReadLine();
  Result<std::string> ReadExactly(std::size_t n);

  std::string host_;
  std::uint16_t port_;
  std::chrono::milliseconds timeout_;
  int fd_ = -1;
  bool eof_ = false;
  int connections_opened_ = 0;
  std::string buffer_;  // received, not yet consumed
};

}  // namespace pasip::testing
