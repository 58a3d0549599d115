// Outgoing e-mail that is never lost: modules write messages into a durable outbox in the
// same transaction as the change they announce; a job (`mail.send`) hands due messages to a
// transport (SMTP, src/mail/) and records the result, retrying with backoff.
//
// Delivery is at least once with a stable Message-ID per message: a message is claimed with
// a lease before it is handed to the transport and marked sent right after the server
// accepted it, so a crash loses nothing; only a crash in the microseconds between the SMTP
// server's acceptance and the mark can send it twice (the same Message-ID lets the receiving
// side recognise it). E-mails carry no personal data about the people received (security.md
// S2): only that something awaits, and a link that requires authentication.
//
// Thread-safe: the outbox serialises claims (a message is claimed by one sender at a time).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"

namespace pasip::mail {

using MessageId = std::int64_t;

enum class MessageState { kPending, kSending, kSent, kFailed };
std::string_view MessageStateName(MessageState s);  // "attente", "envoi", "envoye", "echec"
std::optional<MessageState> ParseMessageState(std::string_view name);

struct Message {
  MessageId id = 0;
  std::string to;       // one address
  std::string subject;  // French, no personal data
  std::string body;     // plain text (UTF-8), French, no personal data
  std::string kind;     // "orientation.nouvelle", "orientation.rappel", "lien.code"…
  // What it is about, for the in-app history and tests (e.g. "orientation:42"); no name.
  std::string ref;
  MessageState state = MessageState::kPending;
  int attempts = 0;
  TimePoint created_at{};
  TimePoint next_attempt_at{};           // not before
  std::optional<TimePoint> lease_until;  // while kSending
  std::optional<TimePoint> sent_at;
  std::string last_error;
  bool operator==(const Message&) const = default;
};

// "<pasip-<id>-<created unix>@pasip>": stable across attempts.
std::string MessageIdHeader(const Message& m);

// The durable outbox (storage::SqlOutboxStore; other stores insert into the same table in
// their own transactions, see storage/outbox_repository.h).
class Outbox {
 public:
  virtual ~Outbox() = default;
  virtual Result<Message> Enqueue(const Message& m) = 0;
  // Claims up to `limit` messages that are kPending and due (next_attempt_at <= now), or
  // kSending with an expired lease (a sender died): they become kSending until `lease`.
  virtual Result<std::vector<Message>> Claim(TimePoint now, std::chrono::seconds lease,
                                             int limit) = 0;
  virtual Status MarkSent(MessageId id, TimePoint at) = 0;
  // Back to kPending for `next`, counting the attempt and keeping the error.
  virtual Status MarkRetry(MessageId id, TimePoint next, const std::string& error) = 0;
  virtual Status MarkFailed(MessageId id, const std::string& error) = 0;
  virtual Result<std::optional<Message>> Find(MessageId id) = 0;
  // Newest first; `ref` "" = any.
  virtual Result<std::vector<Message>> Recent(const std::string& ref, int limit) = 0;
  // Removes sent or failed messages older than `before` (their bodies hold links).
  virtual Result<std::int64_t> Prune(TimePoint before) = 0;
};

// Hands one message to a mail server. Errors: kUnavailable for what may pass on a retry
// (connection refused, timeout, 4xx), kInvalidArgument for a refused address (5xx).
class Transport {
 public:
  virtual ~Transport() = default;
  virtual Status Send(const Message& m, const std::string& from) = 0;
};

struct DeliveryReport {
  int sent = 0;
  int retried = 0;
  int failed = 0;
};

// The `mail.send` job: claims due messages, sends them, records each result. A message is
// retried after 1, 2, 4… minutes (capped at 1 h) up to kMaxAttempts, then marked failed.
class Delivery {
 public:
  static constexpr int kMaxAttempts = 10;
  static constexpr int kBatch = 50;

  Delivery(Outbox& outbox, Transport& transport, const Clock& clock, std::string from)
      : outbox_(outbox), transport_(transport), clock_(clock), from_(std::move(from)) {}

  // Sends what is due now; fails only when the outbox itself fails.
  Result<DeliveryReport> RunOnce();
  static std::chrono::seconds Backoff(int attempts);

 private:
  Outbox& outbox_;
  Transport& transport_;
  const Clock& clock_;
  std::string from_;
};

}  // namespace pasip::mail
