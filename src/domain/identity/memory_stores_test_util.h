// In-memory implementations of the identity and audit ports, for domain tests.
#pragma once

#include <algorithm>
#include <map>
#include <mutex>

#include "domain/audit/audit.h"
#include "domain/identity/ports.h"

namespace pasip::identity::testing {

class MemoryIdentityStore : public IdentityStore {
 public:
  Result<Organisation> CreateOrganisation(const Organisation& o) override {
    Organisation c = o;
    c.id = ++next_id_;
    organisations_[c.id] = c;
    return c;
  }
  Status UpdateOrganisation(const Organisation& o) override {
    organisations_[o.id] = o;
    return Ok();
  }
  Result<std::optional<Organisation>> FindOrganisation(OrganisationId id) override {
    auto it = organisations_.find(id);
    if (it == organisations_.end()) return std::optional<Organisation>();
    return std::optional<Organisation>(it->second);
  }
  Result<std::vector<Organisation>> ListOrganisations(const OrganisationQuery&) override {
    std::vector<Organisation> out;
    for (auto& [id, o] : organisations_) out.push_back(o);
    return out;
  }
  Result<Site> CreateSite(const Site& s) override {
    Site c = s;
    c.id = ++next_id_;
    sites_[c.id] = c;
    return c;
  }
  Status UpdateSite(const Site& s) override {
    sites_[s.id] = s;
    return Ok();
  }
  Result<std::optional<Site>> FindSite(SiteId id) override {
    auto it = sites_.find(id);
    if (it == sites_.end()) return std::optional<Site>();
    return std::optional<Site>(it->second);
  }
  Result<std::vector<Site>> ListSites(const SiteQuery&) override {
    std::vector<Site> out;
    for (auto& [id, s] : sites_) out.push_back(s);
    return out;
  }
  Result<User> CreateUser(const User& u) override {
    for (auto& [id, existing] : users_) {
      if (existing.email == u.email) return Fail(AlreadyExists("déjà"));
    }
    User c = u;
    c.id = ++next_id_;
    users_[c.id] = c;
    return c;
  }
  Status UpdateUser(const User& u) override {
    User& stored = users_.at(u.id);
    stored.email = u.email;
    stored.display_name = u.display_name;
    stored.disabled = u.disabled;
    stored.memberships = u.memberships;
    return Ok();
  }
  Result<std::optional<User>> FindUser(UserId id) override {
    auto it = users_.find(id);
    if (it == users_.end()) return std::optional<User>();
    return std::optional<User>(it->second);
  }
  Result<std::optional<User>> FindUserByEmail(const std::string& email) override {
    for (auto& [id, u] : users_) {
      if (u.email == email) return std::optional<User>(u);
    }
    return std::optional<User>();
  }
  Result<std::vector<User>> ListUsers(const UserQuery&) override {
    std::vector<User> out;
    for (auto& [id, u] : users_) out.push_back(u);
    return out;
  }
  Status SetPasswordHash(UserId id, const std::string& hash) override {
    users_.at(id).password_hash = hash;
    return Ok();
  }
  Status SetTotpSecret(UserId id, const std::string& secret) override {
    users_.at(id).totp_secret = secret;
    last_step_[id] = 0;
    return Ok();
  }
  Result<bool> AdvanceTotpStep(UserId id, std::int64_t step) override {
    if (last_step_[id] >= step) return false;
    last_step_[id] = step;
    return true;
  }
  Status ReplaceRecoveryCodes(UserId id, const std::vector<std::string>& hashes) override {
    recovery_[id] = hashes;
    return Ok();
  }
  Result<bool> ConsumeRecoveryCode(UserId id, const std::string& hash) override {
    auto& list = recovery_[id];
    auto it = std::find(list.begin(), list.end(), hash);
    if (it == list.end()) return false;
    list.erase(it);
    return true;
  }

 private:
  std::int64_t next_id_ = 0;
  std::map<OrganisationId, Organisation> organisations_;
  std::map<SiteId, Site> sites_;
  std::map<UserId, User> users_;
  std::map<UserId, std::int64_t> last_step_;
  std::map<UserId, std::vector<std::string>> recovery_;
};

class MemorySessionStore : public SessionStore {
 public:
  Status Create(const Session& s) override {
    sessions[s.id] = s;
    return Ok();
  }
  Result<std::optional<Session>> Find(const std::string& id) override {
    auto it = sessions.find(id);
    if (it == sessions.end()) return std::optional<Session>();
    return std::optional<Session>(it->second);
  }
  Status Touch(const std::string& id, TimePoint at) override {
    sessions.at(id).last_seen_at = at;
    return Ok();
  }
  Status MarkSecondFactorVerified(const std::string& id) override {
    sessions.at(id).second_factor_verified = true;
    return Ok();
  }
  Status Delete(const std::string& id) override {
    sessions.erase(id);
    return Ok();
  }
  Status DeleteForUser(UserId user_id, const std::string& keep) override {
    std::erase_if(sessions,
                  [&](const auto& kv) { return kv.second.user_id == user_id && kv.first != keep; });
    return Ok();
  }
  Result<std::vector<Session>> ListForUser(UserId user_id) override {
    std::vector<Session> out;
    for (auto& [id, s] : sessions) {
      if (s.user_id == user_id) out.push_back(s);
    }
    return out;
  }
  Result<std::int64_t> DeleteExpired(TimePoint idle_before, TimePoint created_before) override {
    return static_cast<std::int64_t>(std::erase_if(sessions, [&](const auto& kv) {
      return kv.second.last_seen_at < idle_before || kv.second.created_at < created_before;
    }));
  }
  std::map<std::string, Session> sessions;
};

class MemoryThrottleStore : public LoginThrottleStore {
 public:
  Status RecordFailure(const std::string& key, TimePoint at) override {
    failures.emplace_back(key, at);
    return Ok();
  }
  Result<int> CountFailuresSince(const std::string& key, TimePoint since) override {
    return static_cast<int>(std::count_if(failures.begin(), failures.end(), [&](const auto& f) {
      return f.first == key && f.second >= since;
    }));
  }
  Status Clear(const std::string& key) override {
    std::erase_if(failures, [&](const auto& f) { return f.first == key; });
    return Ok();
  }
  Result<std::int64_t> DeleteBefore(TimePoint before) override {
    return static_cast<std::int64_t>(
        std::erase_if(failures, [&](const auto& f) { return f.second < before; }));
  }
  std::vector<std::pair<std::string, TimePoint>> failures;
};

class MemoryAuditStore : public audit::Store {
 public:
  Status Append(const audit::Entry& e) override {
    entries.push_back(e);
    return Ok();
  }
  Result<std::vector<audit::Entry>> Search(const audit::Query&) override { return entries; }
  Result<std::int64_t> DeleteBefore(TimePoint) override { return 0; }
  std::vector<audit::Entry> entries;
};

}  // namespace pasip::identity::testing
