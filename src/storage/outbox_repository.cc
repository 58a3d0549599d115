#include "storage/outbox_repository.h"

#include <string>

namespace pasip::storage {
namespace {

using mail::Message;
using mail::MessageState;

// Errors are kept this long: enough to diagnose, never a whole server transcript.
constexpr std::size_t kErrorLength = 500;

constexpr char kMessageColumns[] =
    "id, recipient, subject, body, kind, ref, state, attempts, created_at, next_attempt_at, "
    "lease_until, sent_at, last_error";

TimePoint WholeSeconds(TimePoint t) { return FromUnixSeconds(ToUnixSeconds(t)); }

// The state as stored: the domain's names, bound as values so the SQL never spells them.
std::string StateText(MessageState s) { return std::string(mail::MessageStateName(s)); }

Message ToMessage(const Row& r) {
  Message m;
  m.id = r.Int(0);
  m.to = r.Text(1);
  m.subject = r.Text(2);
  m.body = r.Text(3);
  m.kind = r.Text(4);
  m.ref = r.Text(5);
  m.state = mail::ParseMessageState(r.Text(6)).value_or(MessageState::kPending);
  m.attempts = static_cast<int>(r.Int(7));
  m.created_at = r.Time(8);
  m.next_attempt_at = r.Time(9);
  m.lease_until = r.OptTime(10);
  m.sent_at = r.OptTime(11);
  m.last_error = r.Text(12);
  return m;
}

// "(?, ?, …)" with n placeholders.
std::string Placeholders(std::size_t n) {
  std::string out = "(";
  for (std::size_t i = 0; i < n; ++i) out += i == 0 ? "?" : ", ?";
  return out + ")";
}

Error MessageNotFound() { return NotFound("Ce message n'existe pas."); }

}  // namespace

Result<Message> InsertOutboxMessage(Connection& c, const Message& message) {
  Message m = message;
  m.created_at = WholeSeconds(m.created_at);
  m.next_attempt_at = WholeSeconds(m.next_attempt_at);
  if (m.lease_until) m.lease_until = WholeSeconds(*m.lease_until);
  if (m.sent_at) m.sent_at = WholeSeconds(*m.sent_at);
  m.last_error = m.last_error.substr(0, kErrorLength);
  PASIP_ASSIGN_OR_RETURN(
      id, c.InsertReturningId(
              "INSERT INTO mail_outbox (recipient, subject, body, kind, ref, state, attempts, "
              "created_at, next_attempt_at, lease_until, sent_at, last_error) "
              "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
              {m.to, m.subject, m.body, m.kind, m.ref, StateText(m.state), m.attempts, m.created_at,
               m.next_attempt_at, m.lease_until, m.sent_at, m.last_error}));
  m.id = id;
  return m;
}

Result<Message> SqlOutboxStore::Enqueue(const Message& m) {
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  return InsertOutboxMessage(*c, m);
}

Result<std::vector<Message>> SqlOutboxStore::Claim(TimePoint now, std::chrono::seconds lease,
                                                   int limit) {
  std::vector<Message> out;
  if (limit <= 0) return out;
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  // A write transaction: immediate on SQLite, so claimers take turns; on PostgreSQL the
  // rows are locked and rows another claimer holds are skipped.
  PASIP_ASSIGN_OR_RETURN(tx, Transaction::Begin(*c));
  const std::string lock = db_.dialect() == Dialect::kPostgres ? " FOR UPDATE SKIP LOCKED" : "";
  // Due: pending and its time has come, or being sent with an expired lease (its sender
  // died).
  PASIP_ASSIGN_OR_RETURN(
      due, c->Query("SELECT id FROM mail_outbox WHERE (state = ? AND next_attempt_at <= ?) "
                    "OR (state = ? AND lease_until < ?) ORDER BY next_attempt_at, id LIMIT ?" +
                        lock,
                    {StateText(MessageState::kPending), now, StateText(MessageState::kSending), now,
                     limit}));
  if (due.empty()) {
    PASIP_TRY(tx.Commit());
    return out;
  }
  std::vector<Value> values{StateText(MessageState::kSending), WholeSeconds(now + lease)};
  for (const Row& r : due) values.emplace_back(r.Int(0));
  const std::string where = " WHERE id IN " + Placeholders(due.size());
  PASIP_TRY(c->Execute("UPDATE mail_outbox SET state = ?, lease_until = ?" + where, values));
  values.erase(values.begin(), values.begin() + 2);
  PASIP_ASSIGN_OR_RETURN(
      rows, c->Query(std::string("SELECT ") + kMessageColumns + " FROM mail_outbox" + where +
                         " ORDER BY next_attempt_at, id",
                     values));
  PASIP_TRY(tx.Commit());
  out.reserve(rows.size());
  for (const Row& r : rows) out.push_back(ToMessage(r));
  return out;
}

Status SqlOutboxStore::MarkSent(mail::MessageId id, TimePoint at) {
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  PASIP_ASSIGN_OR_RETURN(
      n, c->Execute("UPDATE mail_outbox SET state = ?, sent_at = ?, lease_until = NULL, "
                    "attempts = attempts + 1 WHERE id = ?",
                    {StateText(MessageState::kSent), at, id}));
  if (n == 0) return Fail(MessageNotFound());
  return Ok();
}

Status SqlOutboxStore::MarkRetry(mail::MessageId id, TimePoint next, const std::string& error) {
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  PASIP_ASSIGN_OR_RETURN(
      n, c->Execute("UPDATE mail_outbox SET state = ?, next_attempt_at = ?, lease_until = NULL, "
                    "attempts = attempts + 1, last_error = ? WHERE id = ?",
                    {StateText(MessageState::kPending), next, error.substr(0, kErrorLength), id}));
  if (n == 0) return Fail(MessageNotFound());
  return Ok();
}

Status SqlOutboxStore::MarkFailed(mail::MessageId id, const std::string& error) {
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  PASIP_ASSIGN_OR_RETURN(
      n, c->Execute("UPDATE mail_outbox SET state = ?, lease_until = NULL, "
                    "attempts = attempts + 1, last_error = ? WHERE id = ?",
                    {StateText(MessageState::kFailed), error.substr(0, kErrorLength), id}));
  if (n == 0) return Fail(MessageNotFound());
  return Ok();
}

Result<std::optional<Message>> SqlOutboxStore::Find(mail::MessageId id) {
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  PASIP_ASSIGN_OR_RETURN(
      row, c->QueryOne(std::string("SELECT ") + kMessageColumns + " FROM mail_outbox WHERE id = ?",
                       {id}));
  if (!row) return std::optional<Message>();
  return std::optional<Message>(ToMessage(*row));
}

Result<std::vector<Message>> SqlOutboxStore::Recent(const std::string& ref, int limit) {
  std::vector<Message> out;
  if (limit <= 0) return out;
  std::string where;
  std::vector<Value> values;
  if (!ref.empty()) {
    where = " WHERE ref = ?";
    values.emplace_back(ref);
  }
  values.emplace_back(limit);
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  PASIP_ASSIGN_OR_RETURN(
      rows, c->Query(std::string("SELECT ") + kMessageColumns + " FROM mail_outbox" + where +
                         " ORDER BY id DESC LIMIT ?",
                     values));
  out.reserve(rows.size());
  for (const Row& r : rows) out.push_back(ToMessage(r));
  return out;
}

Result<std::int64_t> SqlOutboxStore::Prune(TimePoint before) {
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  return c->Execute("DELETE FROM mail_outbox WHERE state IN (?, ?) AND created_at < ?",
                    {StateText(MessageState::kSent), StateText(MessageState::kFailed), before});
}

}  // namespace pasip::storage
