// The only translation unit that includes Boost.Beast and Asio (they cost ~17 s and 0.8 GB
// each to compile). Design notes:
//  - One io_context per worker thread, each with its own acceptor bound with SO_REUSEPORT:
//    the kernel spreads connections, and a session lives and dies on one thread, so no
//    strand or lock is needed inside a session.
//  - A connection is either waiting for the first byte of a request (idle), reading one,
//    running the handler, or writing the answer. Only idle connections are closed at once
//    by Stop(); the others finish their exchange, then close.
//  - The request deadline is our own timer that cancels the socket, because tcp_stream's
//    built-in timeout closes the socket and would leave no way to answer 408.
#include "http/server.h"

#include <sys/resource.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <array>
#include <atomic>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <limits>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_set>
#include <vector>

#include "core/crypto.h"

namespace pasip::http {
namespace {

// Request ids need to be unique, not secret: a random prefix per thread (one call to the
// system's random source) followed by a counter, instead of random bytes per request.
std::string NewRequestId() {
  thread_local const std::string prefix = crypto::RandomToken(6);
  thread_local std::uint64_t counter = 0;
  return prefix + "-" + std::to_string(++counter);
}

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using SteadyClock = std::chrono::steady_clock;
using ReusePort = asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;

constexpr std::size_t kReadChunk = 4096;
constexpr std::size_t kMaxRequestIdLength = 64;
// After an error answer, the rest of the request is read and thrown away for a while so that
// closing does not reset the connection before the client has read the answer.
constexpr std::chrono::seconds kLingerTimeout{2};
constexpr std::size_t kLingerMaxBytes = 1024 * 1024;
constexpr std::chrono::milliseconds kAcceptRetryDelay{100};
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

constexpr std::string_view kDetailMalformed = "La requête est mal formée.";
constexpr std::string_view kDetailTransferEncoding =
    "Transfer-Encoding non pris en charge : seul « chunked » est accepté.";
constexpr std::string_view kDetailMissingHost = "L'en-tête Host manque.";
constexpr std::string_view kDetailTimeout =
    "La requête n'est pas arrivée complète à temps. Veuillez réessayer.";
constexpr std::string_view kDetailBodyTooLarge = "Le contenu envoyé dépasse la taille autorisée.";
constexpr std::string_view kDetailHeadersTooLarge =
    "Les en-têtes de la requête dépassent la taille autorisée.";

std::string_view View(beast::string_view s) { return {s.data(), s.size()}; }
beast::string_view BeastView(std::string_view s) { return {s.data(), s.size()}; }

void LogError(std::string_view message) {
  // One write per line so that lines from several threads do not interleave.
  std::string line = "pasip http: ";
  line += message;
  line += '\n';
  std::cerr << line << std::flush;
}

bool IsSaneRequestId(std::string_view id) {
  if (id.empty() || id.size() > kMaxRequestIdLength) return false;
  for (char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '.' || c == '-';
    if (!ok) return false;
  }
  return true;
}

bool IsSafeHeaderText(std::string_view s) {
  for (char c : s) {
    if (c == '\r' || c == '\n' || c == '\0') return false;
  }
  return true;
}

void AppendJsonString(std::string& out, std::string_view s) {
  out += '"';
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          static constexpr char kHex[] = "0123456789abcdef";
          out += "\\u00";
          out += kHex[(c >> 4) & 0xF];
          out += kHex[c & 0xF];
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

Response Problem(int status, std::string_view detail) {
  std::string body = R"({"type":"about:blank","title":)";
  AppendJsonString(body, ReasonPhrase(status));
  body += R"(,"status":)";
  body += std::to_string(status);
  body += R"(,"detail":)";
  AppendJsonString(body, detail);
  body += '}';
  return Response::Text(status, std::move(body), "application/problem+json");
}

// RFC 9110 IMF-fixdate, independent of the C locale.
std::string HttpDate(std::chrono::system_clock::time_point t) {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const std::time_t seconds = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[tm.tm_wday],
                tm.tm_mday, kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                tm.tm_sec);
  return buffer;
}

class Session;

struct Worker {
  // Declared before the io_context: destroying the io_context destroys the sessions its
  // pending handlers own, and they unregister themselves from this set.
  std::unordered_set<Session*> sessions;
  asio::io_context ioc{1};
  std::optional<tcp::acceptor> acceptor;
  std::optional<asio::steady_timer> accept_retry;
  std::thread thread;
};

// Everything the server shares between its threads. Sessions hold a reference to it, which
// stays valid because the workers (and so the sessions) are destroyed first.
class Core {
 public:
  Core(ServerOptions options, Server::RequestHandler handler, Server::ExchangeObserver observer)
      : options_(std::move(options)),
        handler_(std::move(handler)),
        observer_(std::move(observer)) {}

  const ServerOptions& options() const { return options_; }
  bool stopping() const { return stopping_.load(std::memory_order_acquire); }

  Response CallHandler(Request& request) { return handler_(request); }
  void Observe(const Exchange& exchange) {
    if (!observer_) return;
    try {
      observer_(exchange);
    } catch (const std::exception& e) {
      LogError("l'observateur a levé une exception : " + std::string(e.what()));
    }
  }

  std::size_t open_connections() {
    std::lock_guard lock(sessions_mutex_);
    return open_sessions_;
  }
  void SessionOpened() {
    std::lock_guard lock(sessions_mutex_);
    ++open_sessions_;
  }
  void SessionClosed() {
    std::lock_guard lock(sessions_mutex_);
    if (--open_sessions_ == 0) sessions_done_.notify_all();
  }

  Status Start();
  std::uint16_t port() const { return port_.load(); }
  void Stop();
  void RunUntilSignal();

 private:
  void Accept(Worker& worker);
  void Join();

  ServerOptions options_;
  Server::RequestHandler handler_;
  Server::ExchangeObserver observer_;
  std::atomic<bool> stopping_{false};
  std::atomic<std::uint16_t> port_{0};

  std::mutex sessions_mutex_;
  std::condition_variable sessions_done_;
  std::size_t open_sessions_ = 0;
  std::size_t connection_limit_ = 0;  // set by Start from the options and the fd limit

  std::mutex lifecycle_mutex_;  // Start, Stop, RunUntilSignal
  bool started_ = false;
  bool stopped_ = false;
  asio::io_context signal_ioc_{1};

  std::vector<std::unique_ptr<Worker>> workers_;  // last: destroyed first
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(Core& core, Worker& worker, tcp::socket socket)
      : core_(core), worker_(worker), stream_(std::move(socket)), timer_(stream_.get_executor()) {
    beast::error_code ec;
    const tcp::endpoint remote = stream_.socket().remote_endpoint(ec);
    if (!ec) remote_address_ = remote.address().to_string();
    connection_deadline_ = SteadyClock::now() + core_.options().read_timeout;
    worker_.sessions.insert(this);
    core_.SessionOpened();
  }

  ~Session() {
    worker_.sessions.erase(this);
    core_.SessionClosed();
  }

  void Start() { WaitForRequest(); }

  // Called on the session's thread when the server stops: a connection between requests, or
  // lingering after an error answer, has nothing left to deliver.
  void CloseIfIdle() {
    if (phase_ == Phase::kWaiting || phase_ == Phase::kClosing) CloseNow();
  }

 private:
  enum class Phase { kWaiting, kReading, kHandling, kWriting, kClosing };

  void WaitForRequest() {
    phase_ = Phase::kWaiting;
    if (buffer_.size() > 0) return ReadHeader();  // pipelined request already received
    if (core_.stopping()) return CloseNow();
    // A new connection has read_timeout to send a request; a kept-alive one idle_timeout.
    if (first_request_) {
      stream_.expires_at(connection_deadline_);
    } else {
      stream_.expires_after(core_.options().idle_timeout);
    }
    stream_.async_read_some(buffer_.prepare(kReadChunk),
                            beast::bind_front_handler(&Session::OnFirstBytes, shared_from_this()));
  }

  void OnFirstBytes(beast::error_code ec, std::size_t bytes) {
    // Idle timeout, client gone, or Stop(): nothing was asked, nothing to answer.
    if (ec) return CloseNow();
    buffer_.commit(bytes);
    ReadHeader();
  }

  void ReadHeader() {
    phase_ = Phase::kReading;
    ++generation_;
    request_ = Request();
    request_.remote_address = remote_address_;
    request_.received_at = std::chrono::system_clock::now();
    request_started_ = SteadyClock::now();
    head_filled_ = false;
    close_after_write_ = false;
    linger_ = false;
    timed_out_ = false;

    parser_.emplace();
    const std::size_t header_limit = core_.options().max_header_bytes;
    parser_->header_limit(static_cast<std::uint32_t>(
        std::min<std::size_t>(header_limit, std::numeric_limits<std::uint32_t>::max())));
    parser_->body_limit(static_cast<std::uint64_t>(core_.options().max_body_bytes));

    stream_.expires_never();
    const SteadyClock::time_point deadline =
        first_request_ ? connection_deadline_ : request_started_ + core_.options().read_timeout;
    timer_.expires_at(deadline);
    timer_.async_wait([weak = weak_from_this(), generation = generation_](beast::error_code ec) {
      if (ec) return;
      auto self = weak.lock();
      if (!self || self->generation_ != generation || self->phase_ != Phase::kReading) return;
      self->timed_out_ = true;
      beast::error_code ignored;
      self->stream_.socket().cancel(ignored);
    });

    bhttp::async_read_header(stream_, buffer_, *parser_,
                             beast::bind_front_handler(&Session::OnHeader, shared_from_this()));
  }

  void OnHeader(beast::error_code ec, std::size_t) {
    if (ec) return OnReadError(ec);
    const auto& message = parser_->get();
    // RFC 9112 §6.3: a Transfer-Encoding that does not end with "chunked" (or any on
    // HTTP/1.0) cannot delimit the body; reading on would take the body for a new request.
    if (message.find(bhttp::field::transfer_encoding) != message.end() &&
        (message.version() < 11 || !parser_->chunked())) {
      return SendError(400, kDetailTransferEncoding);
    }
    if (message.version() >= 11 && message.find(bhttp::field::host) == message.end()) {
      return SendError(400, kDetailMissingHost);
    }
    if (parser_->is_done()) return OnRequestRead();
    if (message.version() >= 11 && beast::iequals(message[bhttp::field::expect], "100-continue")) {
      asio::async_write(stream_, asio::buffer(kContinue.data(), kContinue.size()),
                        beast::bind_front_handler(&Session::OnContinueSent, shared_from_this()));
      return;
    }
    ReadBody();
  }

  void OnContinueSent(beast::error_code ec, std::size_t) {
    if (ec) return OnReadError(ec);
    ReadBody();
  }

  void ReadBody() {
    bhttp::async_read(stream_, buffer_, *parser_,
                      beast::bind_front_handler(&Session::OnBody, shared_from_this()));
  }

  void OnBody(beast::error_code ec, std::size_t) {
    if (ec) return OnReadError(ec);
    OnRequestRead();
  }

  void OnReadError(beast::error_code ec) {
    timer_.cancel();
    if (timed_out_) return SendError(408, kDetailTimeout);
    if (ec == bhttp::error::body_limit) return SendError(413, kDetailBodyTooLarge);
    if (ec == bhttp::error::header_limit) return SendError(431, kDetailHeadersTooLarge);
    // The client went away (or the server is being torn down): nobody to answer.
    if (ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message ||
        ec.category() != bhttp::make_error_code(bhttp::error::bad_method).category()) {
      return CloseNow();
    }
    SendError(400, kDetailMalformed);
  }

  // Copies what the parser has of the request line and headers into request_.
  void FillHead() {
    if (head_filled_) return;
    head_filled_ = true;
    if (!parser_ || !parser_->is_header_done()) {
      request_.method = Method::kOther;
      request_.request_id = NewRequestId();
      return;
    }
    const auto& message = parser_->get();
    request_.method = ParseMethod(View(message.method_string()));
    request_.target = std::string(View(message.target()));
    for (const auto& field : message) {
      request_.headers.emplace(std::string(View(field.name_string())),
                               std::string(View(field.value())));
    }
    const std::string_view incoming_id = request_.Header("X-Request-Id");
    request_.request_id = IsSaneRequestId(incoming_id) ? std::string(incoming_id) : NewRequestId();
  }

  void OnRequestRead() {
    timer_.cancel();
    phase_ = Phase::kHandling;
    FillHead();
    auto& message = parser_->get();
    const std::string_view target = request_.target;
    if (target.empty() || target.front() != '/') return SendError(400, kDetailMalformed);
    const std::size_t question = target.find('?');
    Result<std::string> path = DecodePath(target.substr(0, question));
    if (!path) return SendError(400, path.error().message);
    request_.path = std::move(*path);
    if (question != std::string_view::npos) {
      Result<FormData> query = FormData::Parse(target.substr(question + 1));
      if (!query) return SendError(400, query.error().message);
      request_.query = std::move(*query);
    }
    request_.body = std::move(message.body());

    Response response;
    try {
      response = core_.CallHandler(request_);
    } catch (const std::exception& e) {
      response = InternalError(std::string("exception : ") + e.what());
    } catch (...) {
      response = InternalError("exception inconnue");
    }
    // Read after the handler: a Stop() during a slow request still announces the close.
    close_after_write_ = !message.keep_alive() || core_.stopping();
    Write(std::move(response), message.version());
  }

  Response InternalError(std::string_view why) {
    // The path only: a query string may carry what was typed in a search field.
    LogError("requête " + request_.request_id + " " + std::string(MethodName(request_.method)) +
             " " + request_.path + " : " + std::string(why));
    return Problem(500,
                   "Une erreur inattendue est survenue. Si elle se répète, "
                   "communiquez ce numéro à l'assistance : " +
                       request_.request_id + ".");
  }

  // Answers a transport error, then closes the connection.
  void SendError(int status, std::string_view detail) {
    timer_.cancel();
    phase_ = Phase::kHandling;
    FillHead();
    close_after_write_ = true;
    linger_ = true;
    const unsigned version =
        parser_ && parser_->is_header_done() && parser_->get().version() == 10 ? 10 : 11;
    Write(Problem(status, detail), version);
  }

  void Write(Response response, unsigned version) {
    if (response.status < 200 || response.status > 599) {
      response = InternalError("statut de réponse invalide " + std::to_string(response.status));
    }
    for (const auto& [name, value] : response.headers) {
      if (name.empty() || !IsSafeHeaderText(name) || !IsSafeHeaderText(value)) {
        response = InternalError("en-tête de réponse invalide « " + name + " »");
        break;
      }
    }
    status_ = response.status;

    response_ = {};
    response_.version(version);
    response_.result(static_cast<unsigned>(response.status));
    response_.reason(BeastView(ReasonPhrase(response.status)));
    for (const auto& [name, value] : response.headers) {
      const bool owned_by_server =
          beast::iequals(name, "Content-Length") || beast::iequals(name, "Transfer-Encoding") ||
          beast::iequals(name, "Connection") || beast::iequals(name, "X-Request-Id");
      if (!owned_by_server) response_.insert(name, value);
    }
    response_.set("X-Request-Id", request_.request_id);
    for (const auto& [name, value] : core_.options().default_headers) {
      if (response_.find(name) == response_.end()) response_.set(name, value);
    }
    if (response_.find(bhttp::field::date) == response_.end()) {
      response_.set(bhttp::field::date, HttpDate(std::chrono::system_clock::now()));
    }
    // No body and no length for 204 and 304 (RFC 9110 §8.6); HEAD gets the GET's length.
    const bool bodiless_status = response.status == 204 || response.status == 304;
    if (!bodiless_status) response_.content_length(response.body.size());
    if (!bodiless_status && request_.method != Method::kHead) {
      response_.body() = std::move(response.body);
    }
    response_.keep_alive(!close_after_write_);

    phase_ = Phase::kWriting;
    stream_.expires_after(core_.options().read_timeout);
    bhttp::async_write(stream_, response_,
                       beast::bind_front_handler(&Session::OnWritten, shared_from_this()));
  }

  void OnWritten(beast::error_code ec, std::size_t bytes) {
    stream_.expires_never();
    const auto duration = std::chrono::duration_cast<std::chrono::microseconds>(SteadyClock::now() -
                                                                                request_started_);
    core_.Observe(Exchange{&request_, status_, bytes, duration});
    if (ec) return CloseNow();
    if (close_after_write_ || core_.stopping()) {
      if (linger_) return Linger();
      beast::error_code ignored;
      stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
      return CloseNow();
    }
    first_request_ = false;
    parser_.reset();
    response_ = {};
    WaitForRequest();
  }

  void Linger() {
    phase_ = Phase::kClosing;
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.expires_after(kLingerTimeout);
    DrainSome();
  }

  void DrainSome() {
    stream_.async_read_some(asio::buffer(drain_),
                            [self = shared_from_this()](beast::error_code ec, std::size_t bytes) {
                              self->drained_ += bytes;
                              if (ec || self->drained_ > kLingerMaxBytes) return self->CloseNow();
                              self->DrainSome();
                            });
  }

  void CloseNow() {
    phase_ = Phase::kClosing;
    timer_.cancel();
    stream_.close();
  }

  Core& core_;
  Worker& worker_;
  beast::tcp_stream stream_;
  asio::steady_timer timer_;  // the request deadline
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  bhttp::response<bhttp::string_body> response_;
  Request request_;
  std::string remote_address_;
  Phase phase_ = Phase::kWaiting;
  std::uint64_t generation_ = 0;
  bool first_request_ = true;
  bool head_filled_ = false;
  bool close_after_write_ = false;
  bool linger_ = false;
  bool timed_out_ = false;
  int status_ = 0;
  std::size_t drained_ = 0;
  std::array<char, 4096> drain_{};
  SteadyClock::time_point connection_deadline_;
  SteadyClock::time_point request_started_;
};

Status Core::Start() {
  std::lock_guard lock(lifecycle_mutex_);
  if (started_) return Fail(FailedPrecondition("Le serveur HTTP est déjà démarré."));
  crypto::InitCrypto();

  // Raise the soft limit on open files to the hard one, and keep headroom below it for the
  // database, logs and static files.
  rlimit files{};
  if (::getrlimit(RLIMIT_NOFILE, &files) == 0) {
    if (files.rlim_cur < files.rlim_max) {
      files.rlim_cur = files.rlim_max;
      (void)::setrlimit(RLIMIT_NOFILE, &files);
      (void)::getrlimit(RLIMIT_NOFILE, &files);
    }
    const std::size_t usable = files.rlim_cur > 128 ? files.rlim_cur - 128 : 64;
    connection_limit_ = std::min(options_.max_connections, usable);
  } else {
    connection_limit_ = options_.max_connections;
  }

  const std::string where = options_.host + ":" + std::to_string(options_.port);
  asio::io_context resolver_ioc;
  tcp::resolver resolver(resolver_ioc);
  beast::error_code ec;
  const auto endpoints =
      resolver.resolve(options_.host, std::to_string(options_.port),
                       tcp::resolver::passive | tcp::resolver::numeric_service, ec);
  if (ec || endpoints.empty()) {
    return Fail(Unavailable("Adresse d'écoute inconnue : " + options_.host + "."));
  }
  tcp::endpoint endpoint = endpoints.begin()->endpoint();

  unsigned threads = options_.threads;
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());

  std::vector<std::unique_ptr<Worker>> workers;
  for (unsigned i = 0; i < threads; ++i) {
    auto worker = std::make_unique<Worker>();
    tcp::acceptor& acceptor = worker->acceptor.emplace(worker->ioc);
    acceptor.open(endpoint.protocol(), ec);
    if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor.set_option(ReusePort(true), ec);
    if (!ec) acceptor.bind(endpoint, ec);
    if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      if (ec == asio::error::address_in_use) {
        return Fail(Unavailable("Impossible d'écouter sur " + where + " : adresse déjà utilisée."));
      }
      return Fail(Unavailable("Impossible d'écouter sur " + where + " : " + ec.message()));
    }
    // With port 0 the first acceptor picks a port; the others join it.
    if (i == 0) endpoint.port(acceptor.local_endpoint().port());
    worker->accept_retry.emplace(worker->ioc);
    workers.push_back(std::move(worker));
  }
  port_ = endpoint.port();
  workers_ = std::move(workers);

  for (auto& worker : workers_) {
    Accept(*worker);
    worker->thread = std::thread([&ioc = worker->ioc] {
      while (true) {
        try {
          ioc.run();
          return;
        } catch (const std::exception& e) {
          LogError("exception dans la boucle d'entrées-sorties : " + std::string(e.what()));
        }
      }
    });
  }
  started_ = true;
  return Ok();
}

void Core::Accept(Worker& worker) {
  worker.acceptor->async_accept([this, &worker](beast::error_code ec, tcp::socket socket) {
    if (!worker.acceptor->is_open() || ec == asio::error::operation_aborted) return;
    if (ec) {
      // Typically out of file descriptors: wait instead of spinning.
      LogError("accept : " + ec.message());
      worker.accept_retry->expires_after(kAcceptRetryDelay);
      worker.accept_retry->async_wait([this, &worker](beast::error_code wait_ec) {
        if (!wait_ec && worker.acceptor->is_open()) Accept(worker);
      });
      return;
    }
    beast::error_code ignored;
    if (open_connections() >= connection_limit_) {
      // Over the cap (many slow or idle clients): refuse at once rather than run out of
      // file descriptors and stop accepting anyone.
      socket.close(ignored);
      return Accept(worker);
    }
    socket.set_option(tcp::no_delay(true), ignored);
    std::make_shared<Session>(*this, worker, std::move(socket))->Start();
    Accept(worker);
  });
}

void Core::Stop() {
  std::lock_guard lock(lifecycle_mutex_);
  signal_ioc_.stop();  // wakes RunUntilSignal if another thread waits in it
  if (!started_ || stopped_) return;
  stopped_ = true;
  stopping_.store(true, std::memory_order_release);

  for (auto& worker : workers_) {
    asio::post(worker->ioc, [&worker = *worker] {
      beast::error_code ignored;
      worker.acceptor->close(ignored);
      worker.accept_retry->cancel();
      // Copy: closing may not erase synchronously, but be safe against it anyway.
      std::vector<Session*> sessions(worker.sessions.begin(), worker.sessions.end());
      for (Session* session : sessions) session->CloseIfIdle();
    });
  }
  {
    std::unique_lock sessions_lock(sessions_mutex_);
    if (!sessions_done_.wait_for(sessions_lock, options_.shutdown_grace,
                                 [this] { return open_sessions_ == 0; })) {
      LogError(std::to_string(open_sessions_) +
               " connexion(s) encore ouverte(s) après le délai d'arrêt : fermeture forcée.");
    }
  }
  Join();
}

void Core::Join() {
  for (auto& worker : workers_) worker->ioc.stop();
  for (auto& worker : workers_) {
    // A handler still running past the grace period is waited for: it cannot be interrupted.
    if (worker->thread.joinable()) worker->thread.join();
  }
  workers_.clear();
}

void Core::RunUntilSignal() {
  {
    std::lock_guard lock(lifecycle_mutex_);
    if (stopped_) return;
    signal_ioc_.restart();
  }
  {
    asio::signal_set signals(signal_ioc_, SIGINT, SIGTERM);
    signals.async_wait([](beast::error_code ec, int signal_number) {
      if (!ec) LogError("signal " + std::to_string(signal_number) + " reçu : arrêt du serveur.");
    });
    signal_ioc_.run();
    // Leaving this scope restores the default actions: a second Ctrl-C kills at once.
  }
  Stop();
}

}  // namespace

struct Server::Impl {
  Impl(ServerOptions options, RequestHandler handler, ExchangeObserver observer)
      : core(std::move(options), std::move(handler), std::move(observer)) {}
  Core core;
};

Server::Server(ServerOptions options, RequestHandler handler, ExchangeObserver observer)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler), std::move(observer))) {}

Server::~Server() { Stop(); }

Status Server::Start() { return impl_->core.Start(); }

std::uint16_t Server::port() const { return impl_->core.port(); }

void Server::Stop() { impl_->core.Stop(); }

void Server::RunUntilSignal() { impl_->core.RunUntilSignal(); }

}  // namespace pasip::http
