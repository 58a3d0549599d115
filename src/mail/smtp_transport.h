// The SMTP mail transport: hands one outbox message to a mail server with libcurl (the only
// place in pasip that includes curl.h), as a plain-text UTF-8 RFC 5322 message.
//
// Each Send opens its own connection (STARTTLS required unless `starttls` is false, login
// when a username is set), so SmtpTransport is thread-safe and keeps no state between
// messages. Errors follow mail::Transport: kUnavailable for what may pass on a retry (server
// unreachable, timeout, 4xx, refused login or missing STARTTLS: a configuration to fix),
// kInvalidArgument for what never will (a 5xx refusal of the recipient or the message, an
// address or subject that could inject headers).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/result.h"
#include "domain/mail/mail.h"

namespace pasip::mail {

struct SmtpSettings {
  std::string host = "127.0.0.1";
  std::uint16_t port = 25;
  bool starttls = true;  // refuse to send unless the server switches to TLS
  std::string username;  // empty: no login
  std::string password;
  std::string from = "pasip@localhost";  // used when Send is given no sender
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds timeout{30'000};  // the whole exchange
};

class SmtpTransport final : public Transport {
 public:
  explicit SmtpTransport(SmtpSettings settings);

  // Sends `m` to `m.to` from `from` (settings.from when empty). Returns once the server
  // accepted the message (250 after DATA).
  Status Send(const Message& m, const std::string& from) override;

 private:
  SmtpSettings settings_;
};

// The message as sent, with CRLF line endings: From, To, Subject (RFC 2047, UTF-8 base64),
// Date (RFC 5322, UTC), Message-ID (MessageIdHeader), MIME-Version, Content-Type text/plain
// UTF-8, quoted-printable body. Pure; Send refuses CR or LF in `to`, `from` or the subject
// before building, and the builder itself never lets them start a new header line.
std::string BuildRfc5322(const Message& m, std::string_view from, TimePoint date);

}  // namespace pasip::mail
