#include "tests/support/http_client.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace pasip::testing {
namespace {

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool EqualsNoCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                            [](char x, char y) { return Lower(x) == Lower(y); });
}

std::string_view TrimSpaces(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// True when the comma-separated header value contains `token` (e.g. Connection: close).
bool HasToken(std::string_view value, std::string_view token) {
  while (!value.empty()) {
    const std::size_t comma = value.find(',');
    if (EqualsNoCase(TrimSpaces(value.substr(0, comma)), token)) return true;
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return false;
}

Error Broken(std::string message) { return Error{ErrorCode::kInternal, std::move(message), {}}; }
Error Unreachable(std::string message) {
  return Error{ErrorCode::kUnavailable, std::move(message), {}};
}

}  // namespace

bool HeaderNameLess::operator()(std::string_view a, std::string_view b) const {
  return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(),
                                      [](char x, char y) { return Lower(x) < Lower(y); });
}

std::string HttpResponse::Header(std::string_view name) const {
  auto it = headers.find(name);
  return it == headers.end() ? std::string() : it->second;
}

std::vector<std::string> HttpResponse::HeaderValues(std::string_view name) const {
  std::vector<std::string> values;
  auto [first, last] = headers.equal_range(name);
  for (auto it = first; it != last; ++it) values.push_back(it->second);
  return values;
}

HttpClient::HttpClient(std::string host, std::uint16_t port, std::chrono::milliseconds timeout)
    : host_(std::move(host)), port_(port), timeout_(timeout) {}

HttpClient::~HttpClient() { Close(); }

void HttpClient::Close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  eof_ = false;
  buffer_.clear();
}

Status HttpClient::Connect() {
  if (fd_ >= 0) return Ok();
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const std::string port = std::to_string(port_);
  if (const int rc = ::getaddrinfo(host_.c_str(), port.c_str(), &hints, &found); rc != 0) {
    return Fail(Unreachable("getaddrinfo: " + std::string(::gai_strerror(rc))));
  }
  std::string last_error = "no address";
  for (addrinfo* ai = found; ai != nullptr; ai = ai->ai_next) {
    const int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) continue;
    if (::connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
      const int one = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      fd_ = fd;
      break;
    }
    last_error = std::strerror(errno);
    ::close(fd);
  }
  ::freeaddrinfo(found);
  if (fd_ < 0) return Fail(Unreachable("connect " + host_ + ":" + port + ": " + last_error));
  eof_ = false;
  buffer_.clear();
  ++connections_opened_;
  return Ok();
}

Status HttpClient::Write(std::string_view bytes) {
  PASIP_TRY(Connect());
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Fail(Unreachable("send: " + std::string(std::strerror(errno))));
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return Ok();
}

Status HttpClient::Fill() {
  if (fd_ < 0) return Fail(Unreachable("not connected"));
  pollfd pfd{fd_, POLLIN, 0};
  int ready;
  do {
    ready = ::poll(&pfd, 1, static_cast<int>(timeout_.count()));
  } while (ready < 0 && errno == EINTR);
  if (ready == 0) return Fail(Unreachable("timeout"));
  if (ready < 0) return Fail(Unreachable("poll: " + std::string(std::strerror(errno))));
  char chunk[16384];
  ssize_t n;
  do {
    n = ::recv(fd_, chunk, sizeof chunk, 0);
  } while (n < 0 && errno == EINTR);
  if (n == 0) {
    eof_ = true;
    return Fail(Unreachable("connection closed by the server"));
  }
  if (n < 0) return Fail(Unreachable("recv: " + std::string(std::strerror(errno))));
  buffer_.append(chunk, static_cast<std::size_t>(n));
  return Ok();
}

Result<std::string> HttpClient::ReadLine() {
  std::size_t end;
  while ((end = buffer_.find("\r\n")) == std::string::npos) PASIP_TRY(Fill());
  std::string line = buffer_.substr(0, end);
  buffer_.erase(0, end + 2);
  return line;
}

Result<std::string> HttpClient::ReadExactly(std::size_t n) {
  while (buffer_.size() < n) PASIP_TRY(Fill());
  std::string data = buffer_.substr(0, n);
  buffer_.erase(0, n);
  return data;
}

Result<HttpResponse> HttpClient::ReadResponse(bool head) {
  HttpResponse response;
  while (true) {
    PASIP_ASSIGN_OR_RETURN(status_line, ReadLine());
    // "HTTP/1.1 200 OK"
    if (status_line.size() < 12 || status_line.compare(0, 5, "HTTP/") != 0 ||
        status_line[8] != ' ') {
      return Fail(Broken("bad status line: " + status_line));
    }
    response.status = std::atoi(status_line.substr(9, 3).c_str());
    response.reason = status_line.size() > 13 ? status_line.substr(13) : "";
    response.headers.clear();
    while (true) {
      PASIP_ASSIGN_OR_RETURN(line, ReadLine());
      if (line.empty()) break;
      const std::size_t colon = line.find(':');
      if (colon == std::string::npos) return Fail(Broken("bad header line: " + line));
      response.headers.emplace(line.substr(0, colon),
                               std::string(TrimSpaces(std::string_view(line).substr(colon + 1))));
    }
    if (response.status >= 200) break;  // 1xx: an interim answer, the real one follows
  }

  const bool no_body = head || response.status == 204 || response.status == 304;
  if (no_body) {
    // nothing to read
  } else if (HasToken(response.Header("Transfer-Encoding"), "chunked")) {
    while (true) {
      PASIP_ASSIGN_OR_RETURN(size_line, ReadLine());
      const std::size_t size = std::strtoul(size_line.c_str(), nullptr, 16);
      if (size == 0) break;
      PASIP_ASSIGN_OR_RETURN(data, ReadExactly(size + 2));
      response.body.append(data, 0, size);
    }
    while (true) {  // trailers
      PASIP_ASSIGN_OR_RETURN(line, ReadLine());
      if (line.empty()) break;
    }
  } else if (response.HasHeader("Content-Length")) {
    const std::size_t length =
        std::strtoull(response.Header("Content-Length").c_str(), nullptr, 10);
    PASIP_ASSIGN_OR_RETURN(data, ReadExactly(length));
    response.body = std::move(data);
  } else {
    PASIP_ASSIGN_OR_RETURN(rest, ReadUntilClose());
    response.body = std::move(rest);
  }
  if (HasToken(response.Header("Connection"), "close")) Close();
  return response;
}

Result<std::string> HttpClient::ReadUntilClose() {
  while (!eof_) {
    Status filled = Fill();
    if (!filled) break;  // closed, reset or silent for `timeout`
  }
  std::string all = std::move(buffer_);
  Close();
  return all;
}

Result<HttpResponse> HttpClient::Send(std::string_view method, std::string_view target,
                                      const HeaderList& headers, std::string_view body) {
  bool has_host = false;
  bool has_length = false;
  for (const auto& [name, value] : headers) {
    has_host = has_host || EqualsNoCase(name, "Host");
    has_length = has_length || EqualsNoCase(name, "Content-Length") ||
                 EqualsNoCase(name, "Transfer-Encoding");
  }
  std::string request;
  request.append(method).append(" ").append(target).append(" HTTP/1.1\r\n");
  if (!has_host) request += "Host: " + host_ + ":" + std::to_string(port_) + "\r\n";
  for (const auto& [name, value] : headers) request += name + ": " + value + "\r\n";
  const bool method_has_body = method == "POST" || method == "PUT" || method == "PATCH";
  if (!has_length && (!body.empty() || method_has_body)) {
    request += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  }
  request += "\r\n";
  request.append(body);

  const bool reused = connected();
  for (int attempt = 0; attempt < 2; ++attempt) {
    Status written = Write(request);
    if (written) {
      Result<HttpResponse> response = ReadResponse(method == "HEAD");
      // A kept-alive connection the server closed meanwhile: try once on a new one.
      if (response || !reused || attempt > 0 || !eof_ || !buffer_.empty()) return response;
    } else if (!reused || attempt > 0) {
      return Fail(written.error());
    }
    Close();
  }
  return Fail(Unreachable("unreachable"));
}

Result<std::string> HttpClient::SendRaw(std::string_view bytes) {
  Close();
  PASIP_TRY(Write(bytes));
  return ReadUntilClose();
}

}  // namespace pasip::testing
