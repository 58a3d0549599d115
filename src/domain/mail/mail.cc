#include "domain/mail/mail.h"

#include <algorithm>

namespace pasip::mail {

namespace {

// A claimed message is ours until the lease ends; past it another sender may take it.
constexpr std::chrono::seconds kLease = std::chrono::minutes(5);
// A send is only started with at least this much lease left (the SMTP transport gives up
// after 30 s), so that a message is never handed to the server once another sender may have
// reclaimed it. What is left of the batch stays claimed and is taken again when the lease
// expires.
constexpr std::chrono::seconds kSendBudget = std::chrono::minutes(1);
constexpr std::chrono::seconds kMaxBackoff = std::chrono::hours(1);

}  // namespace

std::string_view MessageStateName(MessageState s) {
  switch (s) {
    case MessageState::kPending:
      return "attente";
    case MessageState::kSending:
      return "envoi";
    case MessageState::kSent:
      return "envoye";
    case MessageState::kFailed:
      return "echec";
  }
  return "attente";
}

std::optional<MessageState> ParseMessageState(std::string_view name) {
  for (MessageState s : {MessageState::kPending, MessageState::kSending, MessageState::kSent,
                         MessageState::kFailed}) {
    if (MessageStateName(s) == name) return s;
  }
  return std::nullopt;
}

std::string MessageIdHeader(const Message& m) {
  return "<pasip-" + std::to_string(m.id) + "-" + std::to_string(ToUnixSeconds(m.created_at)) +
         "@pasip>";
}

std::chrono::seconds Delivery::Backoff(int attempts) {
  // 1 min before the second attempt, then doubling; the shift is bounded so it cannot
  // overflow whatever the count.
  const int doublings = std::clamp(attempts - 1, 0, 6);
  return std::min<std::chrono::seconds>(std::chrono::minutes(1) * (1 << doublings), kMaxBackoff);
}

Result<DeliveryReport> Delivery::RunOnce() {
  const TimePoint claimed_at = clock_.Now();
  PASIP_ASSIGN_OR_RETURN(messages, outbox_.Claim(claimed_at, kLease, kBatch));
  const TimePoint lease_end = claimed_at + kLease;
  DeliveryReport report;
  for (const Message& m : messages) {
    if (clock_.Now() + kSendBudget > lease_end) break;
    Status sent = transport_.Send(m, from_);
    const TimePoint now = clock_.Now();
    if (sent) {
      PASIP_TRY(outbox_.MarkSent(m.id, now));
      ++report.sent;
      continue;
    }
    const Error& error = sent.error();
    const int attempts = m.attempts + 1;
    if (error.code == ErrorCode::kInvalidArgument || attempts >= kMaxAttempts) {
      PASIP_TRY(outbox_.MarkFailed(m.id, error.message));
      ++report.failed;
    } else {
      PASIP_TRY(outbox_.MarkRetry(m.id, now + Backoff(attempts), error.message));
      ++report.retried;
    }
  }
  return report;
}

}  // namespace pasip::mail
