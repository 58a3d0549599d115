// An in-memory mail::Outbox for tests (this module's, the orientation module's and the SMTP
// transport's). It behaves as storage::SqlOutboxStore does: ids from 1 in insertion order;
// Enqueue stores the message as given (state, attempts, instants, only the id is new);
// instants are kept to the second; Claim takes kPending messages due (next_attempt_at <=
// now) and kSending ones whose lease has passed (lease_until < now), by next_attempt_at
// then id, and leases them until now + lease; MarkSent, MarkRetry and MarkFailed each count
// the attempt that ended and answer kNotFound for an unknown id; Recent is newest id first;
// Prune removes sent and failed messages created before the given instant. Thread-safe
// (one mutex).
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "domain/mail/mail.h"

namespace pasip::mail::testing {

class MemoryOutbox final : public Outbox {
 public:
  Result<Message> Enqueue(const Message& m) override {
    std::lock_guard lock(mutex_);
    Message stored = m;
    stored.id = ++last_id_;
    stored.created_at = WholeSeconds(stored.created_at);
    stored.next_attempt_at = WholeSeconds(stored.next_attempt_at);
    if (stored.lease_until) stored.lease_until = WholeSeconds(*stored.lease_until);
    if (stored.sent_at) stored.sent_at = WholeSeconds(*stored.sent_at);
    messages_[stored.id] = stored;
    return stored;
  }

  Result<std::vector<Message>> Claim(TimePoint now, std::chrono::seconds lease,
                                     int limit) override {
    std::lock_guard lock(mutex_);
    std::vector<Message*> due;
    for (auto& [id, m] : messages_) {
      const bool pending = m.state == MessageState::kPending && m.next_attempt_at <= now;
      const bool abandoned =
          m.state == MessageState::kSending && m.lease_until.has_value() && *m.lease_until < now;
      if (pending || abandoned) due.push_back(&m);
    }
    // messages_ is in id order: a stable sort keeps it among equal next_attempt_at.
    std::stable_sort(due.begin(), due.end(), [](const Message* a, const Message* b) {
      return a->next_attempt_at < b->next_attempt_at;
    });
    std::vector<Message> claimed;
    for (Message* m : due) {
      if (static_cast<int>(claimed.size()) >= limit) break;
      m->state = MessageState::kSending;
      m->lease_until = WholeSeconds(now + lease);
      claimed.push_back(*m);
    }
    return claimed;
  }

  Status MarkSent(MessageId id, TimePoint at) override {
    std::lock_guard lock(mutex_);
    PASIP_ASSIGN_OR_RETURN(m, Get(id));
    m->state = MessageState::kSent;
    m->sent_at = WholeSeconds(at);
    m->lease_until.reset();
    m->attempts += 1;
    return Ok();
  }

  Status MarkRetry(MessageId id, TimePoint next, const std::string& error) override {
    std::lock_guard lock(mutex_);
    PASIP_ASSIGN_OR_RETURN(m, Get(id));
    m->state = MessageState::kPending;
    m->next_attempt_at = WholeSeconds(next);
    m->lease_until.reset();
    m->attempts += 1;
    m->last_error = error;
    return Ok();
  }

  Status MarkFailed(MessageId id, const std::string& error) override {
    std::lock_guard lock(mutex_);
    PASIP_ASSIGN_OR_RETURN(m, Get(id));
    m->state = MessageState::kFailed;
    m->lease_until.reset();
    m->attempts += 1;
    m->last_error = error;
    return Ok();
  }

  Result<std::optional<Message>> Find(MessageId id) override {
    std::lock_guard lock(mutex_);
    const auto it = messages_.find(id);
    if (it == messages_.end()) return std::optional<Message>();
    return std::optional<Message>(it->second);
  }

  Result<std::vector<Message>> Recent(const std::string& ref, int limit) override {
    std::lock_guard lock(mutex_);
    std::vector<Message> out;
    for (auto it = messages_.rbegin(); it != messages_.rend(); ++it) {
      if (static_cast<int>(out.size()) >= limit) break;
      if (ref.empty() || it->second.ref == ref) out.push_back(it->second);
    }
    return out;
  }

  Result<std::int64_t> Prune(TimePoint before) override {
    std::lock_guard lock(mutex_);
    return static_cast<std::int64_t>(std::erase_if(messages_, [&](const auto& entry) {
      const Message& m = entry.second;
      const bool done = m.state == MessageState::kSent || m.state == MessageState::kFailed;
      return done && m.created_at < before;
    }));
  }

  // Every message in id order (test helper).
  std::vector<Message> All() const {
    std::lock_guard lock(mutex_);
    std::vector<Message> out;
    for (const auto& [id, m] : messages_) out.push_back(m);
    return out;
  }

 private:
  static TimePoint WholeSeconds(TimePoint t) { return FromUnixSeconds(ToUnixSeconds(t)); }

  Result<Message*> Get(MessageId id) {
    const auto it = messages_.find(id);
    if (it == messages_.end()) return Fail(NotFound("Ce message n'existe pas."));
    return &it->second;
  }

  mutable std::mutex mutex_;
  std::map<MessageId, Message> messages_;
  MessageId last_id_ = 0;
};

}  // namespace pasip::mail::testing
