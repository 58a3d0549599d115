// An in-memory OrientationStore for the domain tests. It follows the port's contract as the
// SQL store does: Apply is all or nothing (the mails go into the given outbox, the version
// guards updates), lists are newest first with keyset pagination, drafts are hidden from
// the recipient side. Thread-safe (one mutex).
#pragma once

#include <algorithm>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "core/crypto.h"
#include "domain/mail/mail.h"
#include "domain/orientation/ports.h"

namespace pasip::orientation::testing {

class MemoryOrientationStore final : public OrientationStore {
 public:
  explicit MemoryOrientationStore(mail::Outbox& outbox) : outbox_(outbox) {}

  // Makes the next Apply fail (as a database outage would), writing nothing.
  bool fail_next_apply = false;

  Result<Written> Apply(const Write& w) override {
    std::lock_guard lock(mutex_);
    if (fail_next_apply) {
      fail_next_apply = false;
      return Fail(Unavailable("base indisponible"));
    }
    Orientation o = w.orientation;
    if (o.id == 0) {
      o.id = ++last_id_;
      o.version = 1;
    } else {
      auto it = rows_.find(o.id);
      if (it == rows_.end()) return Fail(NotFound("Orientation introuvable."));
      if (it->second.version != o.version) {
        return Fail(FailedPrecondition("L'orientation a été modifiée entre-temps."));
      }
      o.version += 1;
    }
    std::optional<Orientation> follow;
    if (w.follow_up) {
      follow = *w.follow_up;
      follow->id = last_id_ + 1;
      follow->version = 1;
      follow->origine_id = o.id;
      o.reorientee_vers = follow->id;
    }
    // Everything checked: write.
    if (follow) ++last_id_;
    rows_[o.id] = o;
    for (Event e : w.events) {
      e.id = ++last_event_;
      if (e.orientation_id == 0) e.orientation_id = o.id;
      events_.push_back(e);
    }
    if (follow) {
      rows_[follow->id] = *follow;
      for (Event e : w.follow_up_events) {
        e.id = ++last_event_;
        if (e.orientation_id == 0) e.orientation_id = follow->id;
        events_.push_back(e);
      }
    }
    for (const mail::Message& m : w.mails) (void)outbox_.Enqueue(m);
    for (Notification n : w.notifications) {
      n.id = ++last_notification_;
      if (n.orientation_id == 0) n.orientation_id = o.id;
      notifications_.push_back(n);
    }
    return Written{o, follow};
  }

  Result<std::optional<Orientation>> Find(OrientationId id) override {
    std::lock_guard lock(mutex_);
    auto it = rows_.find(id);
    if (it == rows_.end()) return std::optional<Orientation>();
    return std::optional<Orientation>(it->second);
  }

  Result<std::vector<Event>> EventsOf(OrientationId id) override {
    std::lock_guard lock(mutex_);
    std::vector<Event> out;
    for (const Event& e : events_) {
      if (e.orientation_id == id) out.push_back(e);
    }
    return out;
  }

  Result<std::vector<Orientation>> List(const ListQuery& q) override {
    std::lock_guard lock(mutex_);
    std::vector<Orientation> out;
    for (auto it = rows_.rbegin(); it != rows_.rend(); ++it) {
      const Orientation& o = it->second;
      bool orienting = std::count(q.orienting.begin(), q.orienting.end(), o.organisation_id) > 0;
      bool recipient =
          o.status != Status::kDraft && o.recipient_organisation_id &&
          std::count(q.recipient.begin(), q.recipient.end(), *o.recipient_organisation_id) > 0;
      if (!orienting && !recipient) continue;
      if (!q.statuses.empty() &&
          std::find(q.statuses.begin(), q.statuses.end(), o.status) == q.statuses.end()) {
        continue;
      }
      if (!q.urgence.empty() && o.urgence != q.urgence) continue;
      if (q.service_id && o.service_id != *q.service_id) continue;
      if (q.site_id && o.site_id != *q.site_id) continue;
      if (q.person_id && o.person_id != q.person_id) continue;
      if (q.sent_before && (!o.sent_at || *o.sent_at >= *q.sent_before)) continue;
      if (q.before_id && o.id >= *q.before_id) continue;
      out.push_back(o);
      if (static_cast<int>(out.size()) >= q.limit) break;
    }
    return out;
  }

  Result<std::vector<Orientation>> Due(TimePoint now, int limit) override {
    std::lock_guard lock(mutex_);
    std::vector<Orientation> out;
    for (const auto& [id, o] : rows_) {
      if (!AwaitsAnswer(o.status)) continue;
      bool due = (o.next_reminder_at && *o.next_reminder_at <= now) ||
                 (o.expires_at && *o.expires_at <= now);
      if (due) out.push_back(o);
      if (static_cast<int>(out.size()) >= limit) break;
    }
    return out;
  }

  Result<std::vector<MeasureRow>> MeasureRows(const MeasureQuery& q) override {
    std::lock_guard lock(mutex_);
    std::vector<MeasureRow> out;
    for (const auto& [id, o] : rows_) {
      if (!o.sent_at || *o.sent_at < q.from || *o.sent_at >= q.to) continue;
      if (!q.orienting.empty() || !q.recipient.empty()) {
        bool in = std::count(q.orienting.begin(), q.orienting.end(), o.organisation_id) > 0 ||
                  (o.recipient_organisation_id && std::count(q.recipient.begin(), q.recipient.end(),
                                                             *o.recipient_organisation_id) > 0);
        if (!in) continue;
      }
      MeasureRow r;
      r.id = o.id;
      r.organisation_id = o.organisation_id;
      r.site_id = o.site_id;
      r.recipient_organisation_id = o.recipient_organisation_id;
      r.service_id = o.service_id;
      r.service_nom = o.service_nom;
      r.status = o.status;
      r.sent_at = *o.sent_at;
      r.answered_at = o.answered_at;
      std::string last_outcome;
      for (const Event& e : events_) {
        if (e.orientation_id != o.id) continue;
        if (e.step == "accepter" || e.step == "proposer_rdv" || e.step == "fixer_rdv") {
          r.accepted = true;
        }
        if (e.step == "expirer") r.expired = true;
        if (e.step == "personne_recue") r.received = true;
        if (e.step == "personne_recue" || e.step == "personne_non_venue") last_outcome = e.step;
      }
      r.no_show = !r.received && last_outcome == "personne_non_venue";
      out.push_back(r);
    }
    return out;
  }

  Result<std::int64_t> CountAwaiting(OrganisationId recipient) override {
    std::lock_guard lock(mutex_);
    std::int64_t n = 0;
    for (const auto& [id, o] : rows_) {
      if (AwaitsAnswer(o.status) && o.recipient_organisation_id == recipient) ++n;
    }
    return n;
  }

  Result<std::vector<Notification>> NotificationsOf(UserId user, bool unread_only,
                                                    int limit) override {
    std::lock_guard lock(mutex_);
    std::vector<Notification> out;
    for (auto it = notifications_.rbegin(); it != notifications_.rend(); ++it) {
      if (it->user_id != user || (unread_only && it->read_at)) continue;
      out.push_back(*it);
      if (static_cast<int>(out.size()) >= limit) break;
    }
    return out;
  }
  Result<std::int64_t> CountUnread(UserId user) override {
    std::lock_guard lock(mutex_);
    return std::count_if(notifications_.begin(), notifications_.end(),
                         [&](const Notification& n) { return n.user_id == user && !n.read_at; });
  }
  pasip::Status MarkRead(NotificationId id, UserId user, TimePoint at) override {
    std::lock_guard lock(mutex_);
    for (Notification& n : notifications_) {
      if (n.id == id && n.user_id == user) {
        if (!n.read_at) n.read_at = at;
        return Ok();
      }
    }
    return Fail(NotFound("Notification introuvable."));
  }
  pasip::Status MarkAllRead(UserId user, TimePoint at) override {
    std::lock_guard lock(mutex_);
    for (Notification& n : notifications_) {
      if (n.user_id == user && !n.read_at) n.read_at = at;
    }
    return Ok();
  }

  Result<bool> WantsDigest(UserId user) override {
    std::lock_guard lock(mutex_);
    return digest_.contains(user);
  }
  pasip::Status SetDigest(UserId user, bool digest) override {
    std::lock_guard lock(mutex_);
    if (digest) {
      digest_.insert(user);
    } else {
      digest_.erase(user);
    }
    return Ok();
  }

  pasip::Status SaveCode(const LinkCode& code) override {
    std::lock_guard lock(mutex_);
    codes_[code.token_hash] = code;
    return Ok();
  }
  Result<std::optional<LinkCode>> FindCode(const std::string& token_hash) override {
    std::lock_guard lock(mutex_);
    auto it = codes_.find(token_hash);
    if (it == codes_.end()) return std::optional<LinkCode>();
    return std::optional<LinkCode>(it->second);
  }
  Result<int> FailCode(const std::string& token_hash) override {
    std::lock_guard lock(mutex_);
    auto it = codes_.find(token_hash);
    if (it == codes_.end()) return 0;
    return ++it->second.attempts;
  }
  pasip::Status DeleteCode(const std::string& token_hash) override {
    std::lock_guard lock(mutex_);
    codes_.erase(token_hash);
    return Ok();
  }
  pasip::Status SaveLinkSession(const LinkSession& session) override {
    std::lock_guard lock(mutex_);
    sessions_[session.token_hash] = session;
    return Ok();
  }
  Result<std::optional<LinkSession>> FindLinkSession(const std::string& token_hash) override {
    std::lock_guard lock(mutex_);
    auto it = sessions_.find(token_hash);
    if (it == sessions_.end()) return std::optional<LinkSession>();
    return std::optional<LinkSession>(it->second);
  }
  pasip::Status DeleteLinkSession(const std::string& token_hash) override {
    std::lock_guard lock(mutex_);
    sessions_.erase(token_hash);
    return Ok();
  }
  Result<std::int64_t> PruneLinks(TimePoint now) override {
    std::lock_guard lock(mutex_);
    std::int64_t n =
        std::erase_if(codes_, [&](const auto& kv) { return kv.second.expires_at <= now; });
    n += std::erase_if(sessions_, [&](const auto& kv) { return kv.second.expires_at <= now; });
    return n;
  }

  Result<std::string> LinkKey() override {
    std::lock_guard lock(mutex_);
    if (key_.empty()) key_ = crypto::RandomBytes(32);
    return key_;
  }

  std::vector<Notification> notifications() const {
    std::lock_guard lock(mutex_);
    return notifications_;
  }

 private:
  mail::Outbox& outbox_;
  mutable std::mutex mutex_;
  std::map<OrientationId, Orientation> rows_;
  std::vector<Event> events_;
  std::vector<Notification> notifications_;
  std::set<UserId> digest_;
  std::map<std::string, LinkCode> codes_;
  std::map<std::string, LinkSession> sessions_;
  std::string key_;
  OrientationId last_id_ = 0;
  EventId last_event_ = 0;
  NotificationId last_notification_ = 0;
};

}  // namespace pasip::orientation::testing
