// The mail outbox on the business database (table `mail_outbox`, migration 0005). Other
// repositories add messages inside their own transactions with InsertOutboxMessage, so an
// e-mail is written together with the change it announces, or not at all.
//
// Claims are atomic and safe with several senders and several server instances: on
// PostgreSQL the due rows are locked with FOR UPDATE SKIP LOCKED, on SQLite the claim runs
// in an immediate (write-locked) transaction. MarkSent, MarkRetry and MarkFailed each count
// the attempt that ended. Thread-safe: each call leases its own connection.
#pragma once

#include "domain/mail/mail.h"
#include "storage/database.h"

namespace pasip::storage {

class SqlOutboxStore final : public mail::Outbox {
 public:
  explicit SqlOutboxStore(Database& db) : db_(db) {}

  Result<mail::Message> Enqueue(const mail::Message& m) override;
  Result<std::vector<mail::Message>> Claim(TimePoint now, std::chrono::seconds lease,
                                           int limit) override;
  // kNotFound when no message has that id.
  Status MarkSent(mail::MessageId id, TimePoint at) override;
  Status MarkRetry(mail::MessageId id, TimePoint next, const std::string& error) override;
  Status MarkFailed(mail::MessageId id, const std::string& error) override;
  Result<std::optional<mail::Message>> Find(mail::MessageId id) override;
  Result<std::vector<mail::Message>> Recent(const std::string& ref, int limit) override;
  // Sent or failed messages created before `before`.
  Result<std::int64_t> Prune(TimePoint before) override;

 private:
  Database& db_;
};

// Writes `m` into the outbox on `c`, which the caller has inside its own Transaction: the
// message commits or rolls back with it. Instants are kept to the second. Answers the
// message as stored (with its id). Fails with kInternal when the row is refused (e.g. no
// recipient address), which rolls back the caller's whole write.
Result<mail::Message> InsertOutboxMessage(Connection& c, const mail::Message& m);

}  // namespace pasip::storage
