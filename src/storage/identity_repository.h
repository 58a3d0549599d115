// SQL implementations of the identity module's ports (organisations, sites, users,
// memberships, sessions, sign-in throttling), written once for SQLite and PostgreSQL.
// Thread-safe: each call leases its own connection.
#pragma once

#include "domain/identity/ports.h"
#include "storage/database.h"

namespace pasip::storage {

class SqlIdentityStore final : public identity::IdentityStore {
 public:
  explicit SqlIdentityStore(Database& db) : db_(db) {}

  Result<identity::Organisation> CreateOrganisation(const identity::Organisation& o) override;
  Status UpdateOrganisation(const identity::Organisation& o) override;
  Result<std::optional<identity::Organisation>> FindOrganisation(
      identity::OrganisationId id) override;
  Result<std::vector<identity::Organisation>> ListOrganisations(
      const identity::OrganisationQuery& query) override;

  Result<identity::Site> CreateSite(const identity::Site& site) override;
  Status UpdateSite(const identity::Site& site) override;
  Result<std::optional<identity::Site>> FindSite(identity::SiteId id) override;
  Result<std::vector<identity::Site>> ListSites(const identity::SiteQuery& query) override;

  Result<identity::User> CreateUser(const identity::User& user) override;
  Status UpdateUser(const identity::User& user) override;
  Result<std::optional<identity::User>> FindUser(identity::UserId id) override;
  Result<std::optional<identity::User>> FindUserByEmail(const std::string& email) override;
  Result<std::vector<identity::User>> ListUsers(const identity::UserQuery& query) override;
  Status SetPasswordHash(identity::UserId id, const std::string& hash) override;
  Status SetTotpSecret(identity::UserId id, const std::string& secret) override;
  Result<bool> AdvanceTotpStep(identity::UserId id, std::int64_t step) override;
  Status ReplaceRecoveryCodes(identity::UserId id, const std::vector<std::string>& hashes) override;
  Result<bool> ConsumeRecoveryCode(identity::UserId id, const std::string& hash) override;

 private:
  Status WriteMemberships(Connection& c, const identity::User& user);
  Result<std::optional<identity::User>> FindOneUser(const std::string& where, const Value& key);
  Result<std::vector<identity::User>> UsersWhere(Connection& c, const std::string& where,
                                                 std::span<const Value> params);
  Database& db_;
};

class SqlSessionStore final : public identity::SessionStore {
 public:
  explicit SqlSessionStore(Database& db) : db_(db) {}
  Status Create(const identity::Session& session) override;
  Result<std::optional<identity::Session>> Find(const std::string& id) override;
  Status Touch(const std::string& id, TimePoint at) override;
  Status MarkSecondFactorVerified(const std::string& id) override;
  Status Delete(const std::string& id) override;
  Status DeleteForUser(identity::UserId user_id, const std::string& keep_id) override;
  Result<std::vector<identity::Session>> ListForUser(identity::UserId user_id) override;
  Result<std::int64_t> DeleteExpired(TimePoint idle_before, TimePoint created_before) override;

 private:
  Database& db_;
};

class SqlLoginThrottleStore final : public identity::LoginThrottleStore {
 public:
  explicit SqlLoginThrottleStore(Database& db) : db_(db) {}
  Status RecordFailure(const std::string& key, TimePoint at) override;
  Result<int> CountFailuresSince(const std::string& key, TimePoint since) override;
  Status Clear(const std::string& key) override;
  Result<std::int64_t> DeleteBefore(TimePoint before) override;

 private:
  Database& db_;
};

// "%text%" for LIKE … ESCAPE '\', with %, _ and \ in `text` escaped, lower-cased.
std::string LikePattern(std::string_view text);

}  // namespace pasip::storage
