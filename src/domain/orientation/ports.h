// What the orientation module needs from storage (storage::SqlOrientationStore on SQLite and
// PostgreSQL, migration 0005). Thread-safe. Every write is one transaction: the orientation,
// its history events, the e-mails it triggers (into the mail outbox) and the in-app
// notifications are written together or not at all — so a notice is never lost nor sent for
// a change that did not happen.
//
// The store knows nothing of access rules: the domain passes the organisations a query may
// return.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "domain/mail/mail.h"
#include "domain/orientation/model.h"

namespace pasip::orientation {

// One atomic write.
struct Write {
  // id 0: created (id, created_at kept as given, version 1). Otherwise updated only if the
  // stored version equals `orientation.version` (else kFailedPrecondition: someone else
  // changed it), and the version is incremented.
  Orientation orientation;
  std::vector<Event> events;  // orientation_id 0 = this orientation
  // Re-orientation: a new orientation created in the same transaction; its origine_id is
  // set to this orientation's id and this orientation's reorientee_vers to its new id.
  std::optional<Orientation> follow_up;
  std::vector<Event> follow_up_events;      // orientation_id 0 = the follow-up
  std::vector<mail::Message> mails;         // into the outbox
  std::vector<Notification> notifications;  // orientation_id 0 = this orientation
};

struct Written {
  Orientation orientation;               // as stored (id, version)
  std::optional<Orientation> follow_up;  // as stored
};

struct ListQuery {
  // An orientation is returned when its orienting organisation is in `orienting` OR its
  // recipient organisation is in `recipient` (and it is not a draft, for the recipient).
  // Both empty: nothing.
  std::vector<OrganisationId> orienting;
  std::vector<OrganisationId> recipient;
  std::vector<Status> statuses;  // empty = any
  std::string urgence;           // "" = any
  std::optional<ServiceId> service_id;
  std::optional<SiteId> site_id;
  std::optional<PersonId> person_id;
  std::optional<TimePoint> sent_before;    // age filter: sent_at < this
  std::optional<OrientationId> before_id;  // keyset pagination, newest (highest id) first
  int limit = 50;
};

// What the measures need of one orientation (no person data).
struct MeasureRow {
  OrientationId id = 0;
  OrganisationId organisation_id = 0;
  SiteId site_id = 0;
  std::optional<OrganisationId> recipient_organisation_id;
  ServiceId service_id = 0;
  std::string service_nom;
  Status status = Status::kDraft;
  TimePoint sent_at{};
  std::optional<TimePoint> answered_at;
  bool accepted = false;  // it was accepted at some point (history has "accepter" or a date)
  bool expired = false;   // it expired at some point
  // Outcome, kept after closing: an event "personne_recue" exists (received), else the
  // last outcome event is "personne_non_venue" (no_show).
  bool received = false;
  bool no_show = false;
};

struct MeasureQuery {
  TimePoint from{};  // sent_at >= from
  TimePoint to{};    // sent_at < to
  // Orientations of these orienting OR recipient organisations; both empty = all.
  std::vector<OrganisationId> orienting;
  std::vector<OrganisationId> recipient;
};

// The one-time code a partner without an account receives before any personal data is
// shown (links.h). Stored hashed.
struct LinkCode {
  std::string token_hash;  // Sha256 hex of the link token
  OrientationId orientation_id = 0;
  std::string code_hash;  // Sha256 hex of key + code
  TimePoint expires_at{};
  int attempts = 0;
  bool operator==(const LinkCode&) const = default;
};

// A partner authenticated through a link and a code: may act on that orientation only.
struct LinkSession {
  std::string token_hash;  // Sha256 hex of the session token (cookie)
  OrientationId orientation_id = 0;
  std::string courriel;  // the address the code was sent to
  TimePoint expires_at{};
  bool operator==(const LinkSession&) const = default;
};

class OrientationStore {
 public:
  virtual ~OrientationStore() = default;

  virtual Result<Written> Apply(const Write& write) = 0;
  virtual Result<std::optional<Orientation>> Find(OrientationId id) = 0;
  // Oldest first.
  virtual Result<std::vector<Event>> EventsOf(OrientationId id) = 0;
  virtual Result<std::vector<Orientation>> List(const ListQuery& query) = 0;
  // Orientations awaiting an answer whose next_reminder_at or expires_at is <= now, oldest
  // first.
  virtual Result<std::vector<Orientation>> Due(TimePoint now, int limit) = 0;
  virtual Result<std::vector<MeasureRow>> MeasureRows(const MeasureQuery& query) = 0;
  // Orientations awaiting an answer per recipient organisation (for the daily digest).
  virtual Result<std::int64_t> CountAwaiting(OrganisationId recipient) = 0;

  // In-app notifications, newest first.
  virtual Result<std::vector<Notification>> NotificationsOf(UserId user, bool unread_only,
                                                            int limit) = 0;
  virtual Result<std::int64_t> CountUnread(UserId user) = 0;
  // kNotFound when the notification is not the user's.
  virtual pasip::Status MarkRead(NotificationId id, UserId user, TimePoint at) = 0;
  virtual pasip::Status MarkAllRead(UserId user, TimePoint at) = 0;

  // Daily digest preference of partner users (default false: one e-mail per orientation).
  virtual Result<bool> WantsDigest(UserId user) = 0;
  virtual pasip::Status SetDigest(UserId user, bool digest) = 0;

  // Partner links. A new code replaces the previous one of the same link.
  virtual pasip::Status SaveCode(const LinkCode& code) = 0;
  virtual Result<std::optional<LinkCode>> FindCode(const std::string& token_hash) = 0;
  // Counts a failed attempt; answers the new count.
  virtual Result<int> FailCode(const std::string& token_hash) = 0;
  virtual pasip::Status DeleteCode(const std::string& token_hash) = 0;
  virtual pasip::Status SaveLinkSession(const LinkSession& session) = 0;
  virtual Result<std::optional<LinkSession>> FindLinkSession(const std::string& token_hash) = 0;
  virtual pasip::Status DeleteLinkSession(const std::string& token_hash) = 0;
  // Removes codes and link sessions expired before `now`.
  virtual Result<std::int64_t> PruneLinks(TimePoint now) = 0;

  // The deployment's secret key for signing partner links (32 random bytes, created by the
  // first caller and shared by every instance through the database).
  virtual Result<std::string> LinkKey() = 0;
};

}  // namespace pasip::orientation
