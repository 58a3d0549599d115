// Orientations on the business database (migration 0005): the liaison forms, their history,
// in-app notifications, partners' digest preference, partner link codes and sessions, and
// the link key in `app_secrets`. One SQL text for SQLite and PostgreSQL. Apply writes the
// orientation, its events, its follow-up, its e-mails (into the mail outbox, see
// outbox_repository.h) and its notifications in one transaction. Thread-safe: each call
// leases its own connection.
//
// The reception store reaches the orientations of a person inside its own transactions
// through the functions at the end (right of access, merge, erasure: security.md S4, S5).
#pragma once

#include <string>
#include <vector>

#include "domain/orientation/ports.h"
#include "domain/reception/model.h"
#include "storage/database.h"

namespace pasip::storage {

class SqlOrientationStore final : public orientation::OrientationStore {
 public:
  explicit SqlOrientationStore(Database& db) : db_(db) {}

  // The tables of this store holding a person id: the right-of-access coverage test
  // compares SqlReceptionStore::PersonTables(), which includes them, with the schema.
  static const std::vector<std::string>& PersonTables();

  // kFailedPrecondition when the stored version differs (« L'orientation a été modifiée
  // entre-temps : rechargez-la. »), kNotFound when the orientation to update is gone,
  // kInternal when a row is refused (the whole write is then undone).
  Result<orientation::Written> Apply(const orientation::Write& write) override;
  Result<std::optional<orientation::Orientation>> Find(orientation::OrientationId id) override;
  Result<std::vector<orientation::Event>> EventsOf(orientation::OrientationId id) override;
  Result<std::vector<orientation::Orientation>> List(const orientation::ListQuery& query) override;
  Result<std::vector<orientation::Orientation>> Due(TimePoint now, int limit) override;
  Result<std::vector<orientation::MeasureRow>> MeasureRows(
      const orientation::MeasureQuery& query) override;
  Result<std::int64_t> CountAwaiting(orientation::OrganisationId recipient) override;

  Result<std::vector<orientation::Notification>> NotificationsOf(orientation::UserId user,
                                                                 bool unread_only,
                                                                 int limit) override;
  Result<std::int64_t> CountUnread(orientation::UserId user) override;
  Status MarkRead(orientation::NotificationId id, orientation::UserId user, TimePoint at) override;
  Status MarkAllRead(orientation::UserId user, TimePoint at) override;

  Result<bool> WantsDigest(orientation::UserId user) override;
  Status SetDigest(orientation::UserId user, bool digest) override;

  Status SaveCode(const orientation::LinkCode& code) override;
  Result<std::optional<orientation::LinkCode>> FindCode(const std::string& token_hash) override;
  // kNotFound when there is no code for that link.
  Result<int> FailCode(const std::string& token_hash) override;
  Status DeleteCode(const std::string& token_hash) override;
  Status SaveLinkSession(const orientation::LinkSession& session) override;
  Result<std::optional<orientation::LinkSession>> FindLinkSession(
      const std::string& token_hash) override;
  Status DeleteLinkSession(const std::string& token_hash) override;
  Result<std::int64_t> PruneLinks(TimePoint now) override;

  // 32 random bytes, stored hex-encoded under "orientation.link_key"; concurrent first
  // callers (threads or instances) all get the one that was stored first.
  Result<std::string> LinkKey() override;

 private:
  Database& db_;
};

// Storage-internal hooks for SqlReceptionStore, run on `c` inside its transaction.

// Appends one record (kind "orientation") per orientation of `person`, oldest first: what
// was asked of whom, the fields shared and their values, consent, dates and outcome.
Status ExportOrientationsOf(Connection& c, reception::PersonId person,
                            std::vector<reception::PersonExport::Record>& out);
// Moves the orientations of `absorbed` onto `kept`.
Status MoveOrientations(Connection& c, reception::PersonId kept, reception::PersonId absorbed);
// Detaches the orientations of `person` and empties what they hold about the person (shared
// values, request, comments, place of the appointment, history details); the rest stays
// for the statistics.
Status DetachOrientations(Connection& c, reception::PersonId person);

}  // namespace pasip::storage
