// What the identity module needs from storage (implemented in src/storage/).
//
// Implementations are thread-safe. Every method fails with kUnavailable when the database
// cannot be reached, kAlreadyExists on a taken unique key (e-mail, SIRET), kNotFound when
// an id to update does not exist.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "domain/identity/model.h"

namespace pasip::identity {

struct OrganisationQuery {
  std::string text;  // part of the name, case-insensitive; empty = all
  bool include_inactive = true;
};

struct SiteQuery {
  std::optional<OrganisationId> organisation_id;
  std::string text;
};

struct UserQuery {
  std::string text;  // part of the e-mail or name
  std::optional<OrganisationId> organisation_id;
  bool include_disabled = true;
  int limit = 200;
};

class IdentityStore {
 public:
  virtual ~IdentityStore() = default;

  virtual Result<Organisation> CreateOrganisation(const Organisation& organisation) = 0;
  virtual Status UpdateOrganisation(const Organisation& organisation) = 0;
  virtual Result<std::optional<Organisation>> FindOrganisation(OrganisationId id) = 0;
  virtual Result<std::vector<Organisation>> ListOrganisations(const OrganisationQuery& query) = 0;

  virtual Result<Site> CreateSite(const Site& site) = 0;
  virtual Status UpdateSite(const Site& site) = 0;
  virtual Result<std::optional<Site>> FindSite(SiteId id) = 0;
  virtual Result<std::vector<Site>> ListSites(const SiteQuery& query) = 0;

  // Creates the user with its memberships.
  virtual Result<User> CreateUser(const User& user) = 0;
  // Updates e-mail, display name, disabled flag, and replaces the memberships.
  virtual Status UpdateUser(const User& user) = 0;
  virtual Result<std::optional<User>> FindUser(UserId id) = 0;
  virtual Result<std::optional<User>> FindUserByEmail(const std::string& normalised_email) = 0;
  virtual Result<std::vector<User>> ListUsers(const UserQuery& query) = 0;
  virtual Status SetPasswordHash(UserId id, const std::string& hash) = 0;
  // Empty secret removes the second factor.
  virtual Status SetTotpSecret(UserId id, const std::string& secret) = 0;
  // Records the last TOTP step accepted, refusing (false) a step not newer than the last
  // one, so that an intercepted code cannot be replayed.
  virtual Result<bool> AdvanceTotpStep(UserId id, std::int64_t step) = 0;
  virtual Status ReplaceRecoveryCodes(UserId id, const std::vector<std::string>& hashes) = 0;
  // Deletes the code if present; true when it was there.
  virtual Result<bool> ConsumeRecoveryCode(UserId id, const std::string& hash) = 0;
};

// A server-side session. The cookie holds a random token; only its SHA-256 is stored.
struct Session {
  std::string id;  // hex SHA-256 of the cookie token
  UserId user_id = 0;
  TimePoint created_at{};
  TimePoint last_seen_at{};
  std::string csrf_token;
  bool second_factor_verified = false;
  std::string user_agent;  // for the "your sessions" list
};

class SessionStore {
 public:
  virtual ~SessionStore() = default;
  virtual Status Create(const Session& session) = 0;
  virtual Result<std::optional<Session>> Find(const std::string& id) = 0;
  virtual Status Touch(const std::string& id, TimePoint at) = 0;
  virtual Status MarkSecondFactorVerified(const std::string& id) = 0;
  virtual Status Delete(const std::string& id) = 0;
  // Deletes every session of the user except `keep_id` (may be empty).
  virtual Status DeleteForUser(UserId user_id, const std::string& keep_id) = 0;
  virtual Result<std::vector<Session>> ListForUser(UserId user_id) = 0;
  // Deletes sessions idle since before `idle_before` or created before `created_before`.
  virtual Result<std::int64_t> DeleteExpired(TimePoint idle_before, TimePoint created_before) = 0;
};

// Failed sign-in attempts, counted per key (normalised e-mail, and remote address).
class LoginThrottleStore {
 public:
  virtual ~LoginThrottleStore() = default;
  virtual Status RecordFailure(const std::string& key, TimePoint at) = 0;
  virtual Result<int> CountFailuresSince(const std::string& key, TimePoint since) = 0;
  virtual Status Clear(const std::string& key) = 0;
  virtual Result<std::int64_t> DeleteBefore(TimePoint before) = 0;
};

}  // namespace pasip::identity
