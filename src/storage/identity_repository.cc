#include "storage/identity_repository.h"

#include <map>

#include "core/text.h"

namespace pasip::storage {

using identity::Membership;
using identity::Organisation;
using identity::Session;
using identity::Site;
using identity::User;

namespace {

constexpr char kOrganisationColumns[] = "id, name, kind, siret, active, created_at";
constexpr char kSiteColumns[] =
    "id, organisation_id, name, address, commune_code, latitude, longitude, active";
constexpr char kSessionColumns[] =
    "id, user_id, created_at, last_seen_at, csrf_token, second_factor_verified, user_agent";

Organisation ToOrganisation(const Row& r) {
  Organisation o;
  o.id = r.Int(0);
  o.name = r.Text(1);
  o.kind = r.Text(2);
  o.siret = r.OptText(3).value_or("");
  o.active = r.Bool(4);
  o.created_at = r.Time(5);
  return o;
}

Site ToSite(const Row& r) {
  Site s;
  s.id = r.Int(0);
  s.organisation_id = r.Int(1);
  s.name = r.Text(2);
  s.address = r.Text(3);
  s.commune_code = r.Text(4);
  s.latitude = r.OptReal(5);
  s.longitude = r.OptReal(6);
  s.active = r.Bool(7);
  return s;
}

User ToUser(const Row& r) {
  User u;
  u.id = r.Int(0);
  u.email = r.Text(1);
  u.display_name = r.Text(2);
  u.password_hash = r.Text(3);
  u.totp_secret = r.Text(4);
  u.disabled = r.Bool(5);
  u.created_at = r.Time(6);
  return u;
}

Session ToSession(const Row& r) {
  Session s;
  s.id = r.Text(0);
  s.user_id = r.Int(1);
  s.created_at = r.Time(2);
  s.last_seen_at = r.Time(3);
  s.csrf_token = r.Text(4);
  s.second_factor_verified = r.Bool(5);
  s.user_agent = r.Text(6);
  return s;
}

Value OptionalText(const std::string& s) { return s.empty() ? Value() : Value(s); }

}  // namespace

std::string LikePattern(std::string_view input) {
  std::string out = "%";
  for (char c : text::AsciiLower(text::Trim(input))) {
    if (c == '%' || c == '_' || c == '\\') out += '\\';
    out += c;
  }
  out += '%';
  return out;
}

// --- Organisations and sites ---------------------------------------------------------

Result<Organisation> SqlIdentityStore::CreateOrganisation(const Organisation& o) {
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  Organisation created = o;
  if (created.created_at == TimePoint{}) created.created_at = SystemClock().Now();
  PASIP_ASSIGN_OR_RETURN(
      id,
      c->InsertReturningId("INSERT INTO organisations (name, kind, siret, active, created_at) "
                           "VALUES (?, ?, ?, ?, ?) RETURNING id",
                           {o.name, o.kind, OptionalText(o.siret), o.active, created.created_at}));
  created.id = id;
  return created;
}

Status SqlIdentityStore::UpdateOrganisation(const Organisation& o) {
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  PASIP_ASSIGN_OR_RETURN(n, c->Execute("UPDATE organisations SET name = ?, kind = ?, siret = ?, "
                                       "active = ? WHERE id = ?",
                                       {o.name, o.kind, OptionalText(o.siret), o.active, o.id}));
  if (n == 0) return Fail(NotFound("Cette organisation n'existe pas."));
  return Ok();
}

Result<std::optional<Organisation>> SqlIdentityStore::FindOrganisation(
    identity::OrganisationId id) {
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  PASIP_ASSIGN_OR_RETURN(row, c->QueryOne(std::string("SELECT ") + kOrganisationColumns +
                                              " FROM organisations WHERE id = ?",
                                          {id}));
  if (!row) return std::optional<Organisation>();
  return std::optional<Organisation>(ToOrganisation(*row));
}

Result<std::vector<Organisation>> SqlIdentityStore::ListOrganisations(
    const identity::OrganisationQuery& query) {
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  PASIP_ASSIGN_OR_RETURN(rows,
                         c->Query(std::string("SELECT ") + kOrganisationColumns +
                                      " FROM organisations WHERE lower(name) LIKE ? ESCAPE '\\' "
                                      "AND (active = 1 OR ? = 1) ORDER BY lower(name), id",
                                  {LikePattern(query.text), query.include_inactive}));
  std::vector<Organisation> out;
  for (const Row& r : rows) out.push_back(ToOrganisation(r));
  return out;
}

Result<Site> SqlIdentityStore::CreateSite(const Site& s) {
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  PASIP_ASSIGN_OR_RETURN(
      id, c->InsertReturningId(
              "INSERT INTO sites (organisation_id, name, address, commune_code, latitude, "
              "longitude, active) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
              {s.organisation_id, s.name, s.address, s.commune_code, s.latitude, s.longitude,
               s.active}));
  Site created = s;
  created.id = id;
  return created;
}

Status SqlIdentityStore::UpdateSite(const Site& s) {
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  PASIP_ASSIGN_OR_RETURN(
      n, c->Execute("UPDATE sites SET organisation_id = ?, name = ?, address = ?, "
                    "commune_code = ?, latitude = ?, longitude = ?, active = ? WHERE id = ?",
                    {s.organisation_id, s.name, s.address, s.commune_code, s.latitude, s.longitude,
                     s.active, s.id}));
  if (n == 0) return Fail(NotFound("Ce lieu n'existe pas."));
  return Ok();
}

Result<std::optional<Site>> SqlIdentityStore::FindSite(identity::SiteId id) {
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  PASIP_ASSIGN_OR_RETURN(
      row, c->QueryOne(std::string("SELECT ") + kSiteColumns + " FROM sites WHERE id = ?", {id}));
  if (!row) return std::optional<Site>();
  return std::optional<Site>(ToSite(*row));
}

Result<std::vector<Site>> SqlIdentityStore::ListSites(const identity::SiteQuery& query) {
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  PASIP_ASSIGN_OR_RETURN(
      rows, c->Query(std::string("SELECT ") + kSiteColumns +
                         " FROM sites WHERE (? = 0 OR organisation_id = ?) AND "
                         "lower(name) LIKE ? ESCAPE '\\' ORDER BY lower(name), id",
                     {query.organisation_id.value_or(0), query.organisation_id.value_or(0),
                      LikePattern(query.text)}));
  std::vector<Site> out;
  for (const Row& r : rows) out.push_back(ToSite(r));
  return out;
}

// --- Users ---------------------------------------------------------------------------

Status SqlIdentityStore::WriteMemberships(Connection& c, const User& user) {
  PASIP_TRY(c.Execute("DELETE FROM memberships WHERE user_id = ?", {user.id}));
  for (const Membership& m : user.memberships) {
    PASIP_ASSIGN_OR_RETURN(
        mid, c.InsertReturningId("INSERT INTO memberships (user_id, organisation_id, role) "
                                 "VALUES (?, ?, ?) RETURNING id",
                                 {user.id, m.organisation_id, identity::RoleName(m.role)}));
    for (identity::SiteId site : m.site_ids) {
      PASIP_TRY(c.Execute("INSERT INTO membership_sites (membership_id, site_id) VALUES (?, ?)",
                          {mid, site}));
    }
  }
  return Ok();
}

Result<User> SqlIdentityStore::CreateUser(const User& user) {
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  PASIP_ASSIGN_OR_RETURN(tx, Transaction::Begin(*c));
  User created = user;
  if (created.created_at == TimePoint{}) created.created_at = SystemClock().Now();
  PASIP_ASSIGN_OR_RETURN(
      id, c->InsertReturningId(
              "INSERT INTO users (email, display_name, password_hash, totp_secret, disabled, "
              "created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
              {user.email, user.display_name, user.password_hash, user.totp_secret, user.disabled,
               created.created_at}));
  created.id = id;
  PASIP_TRY(WriteMemberships(*c, created));
  PASIP_TRY(tx.Commit());
  return created;
}

Status SqlIdentityStore::UpdateUser(const User& user) {
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  PASIP_ASSIGN_OR_RETURN(tx, Transaction::Begin(*c));
  PASIP_ASSIGN_OR_RETURN(n, c->Execute("UPDATE users SET email = ?, display_name = ?, "
                                       "disabled = ? WHERE id = ?",
                                       {user.email, user.display_name, user.disabled, user.id}));
  if (n == 0) return Fail(NotFound("Ce compte n'existe pas."));
  PASIP_TRY(WriteMemberships(*c, user));
  return tx.Commit();
}

// Users matching `where` (a fragment of literals, possibly ending with LIMIT ?) with their
// memberships, in one query: one row per membership site, NULLs when there is none.
Result<std::vector<User>> SqlIdentityStore::UsersWhere(Connection& c, const std::string& where,
                                                       std::span<const Value> params) {
  PASIP_ASSIGN_OR_RETURN(
      rows, c.Query("SELECT u.id, u.email, u.display_name, u.password_hash, u.totp_secret, "
                    "u.disabled, u.created_at, m.id, m.organisation_id, m.role, s.site_id "
                    "FROM (SELECT * FROM users WHERE " +
                        where +
                        ") u LEFT JOIN memberships m ON m.user_id = u.id "
                        "LEFT JOIN membership_sites s ON s.membership_id = m.id "
                        "ORDER BY lower(u.display_name), u.id, m.id, s.site_id",
                    params));
  std::vector<User> users;
  std::int64_t last_membership = 0;
  for (const Row& r : rows) {
    if (users.empty() || users.back().id != r.Int(0)) users.push_back(ToUser(r));
    User& user = users.back();
    if (r.IsNull(7)) continue;
    if (r.Int(7) != last_membership) {
      last_membership = r.Int(7);
      Membership m;
      m.organisation_id = r.Int(8);
      m.role = identity::ParseRole(r.Text(9)).value_or(identity::Role::kAccueil);
      user.memberships.push_back(m);
    }
    if (!r.IsNull(10)) user.memberships.back().site_ids.push_back(r.Int(10));
  }
  return users;
}

Result<std::optional<User>> SqlIdentityStore::FindOneUser(const std::string& where,
                                                          const Value& key) {
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  const Value params[] = {key};
  PASIP_ASSIGN_OR_RETURN(users, UsersWhere(*c, where, params));
  if (users.empty()) return std::optional<User>();
  return std::optional<User>(std::move(users.front()));
}

Result<std::optional<User>> SqlIdentityStore::FindUser(identity::UserId id) {
  return FindOneUser("id = ?", id);
}

Result<std::optional<User>> SqlIdentityStore::FindUserByEmail(const std::string& email) {
  return FindOneUser("email = ?", email);
}

Result<std::vector<User>> SqlIdentityStore::ListUsers(const identity::UserQuery& query) {
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  const std::string pattern = LikePattern(query.text);
  const std::int64_t org = query.organisation_id.value_or(0);
  const Value params[] = {pattern, pattern, query.include_disabled,
                          org,     org,     std::max(1, std::min(query.limit, 1000))};
  return UsersWhere(*c,
                    "(lower(email) LIKE ? ESCAPE '\\' OR lower(display_name) LIKE ? ESCAPE '\\') "
                    "AND (disabled = 0 OR ? = 1) AND (? = 0 OR id IN (SELECT user_id FROM "
                    "memberships WHERE organisation_id = ?)) ORDER BY lower(display_name), id "
                    "LIMIT ?",
                    params);
}

Status SqlIdentityStore::SetPasswordHash(identity::UserId id, const std::string& hash) {
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  PASIP_ASSIGN_OR_RETURN(n,
                         c->Execute("UPDATE users SET password_hash = ? WHERE id = ?", {hash, id}));
  if (n == 0) return Fail(NotFound("Ce compte n'existe pas."));
  return Ok();
}

Status SqlIdentityStore::SetTotpSecret(identity::UserId id, const std::string& secret) {
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  PASIP_ASSIGN_OR_RETURN(
      n, c->Execute("UPDATE users SET totp_secret = ?, totp_last_step = 0 WHERE id = ?",
                    {secret, id}));
  if (n == 0) return Fail(NotFound("Ce compte n'existe pas."));
  return Ok();
}

Result<bool> SqlIdentityStore::AdvanceTotpStep(identity::UserId id, std::int64_t step) {
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  PASIP_ASSIGN_OR_RETURN(
      n, c->Execute("UPDATE users SET totp_last_step = ? WHERE id = ? AND totp_last_step < ?",
                    {step, id, step}));
  return n == 1;
}

Status SqlIdentityStore::ReplaceRecoveryCodes(identity::UserId id,
                                              const std::vector<std::string>& hashes) {
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  PASIP_ASSIGN_OR_RETURN(tx, Transaction::Begin(*c));
  PASIP_TRY(c->Execute("DELETE FROM recovery_codes WHERE user_id = ?", {id}));
  for (const std::string& h : hashes) {
    PASIP_TRY(c->Execute("INSERT INTO recovery_codes (user_id, code_hash) VALUES (?, ?)", {id, h}));
  }
  return tx.Commit();
}

Result<bool> SqlIdentityStore::ConsumeRecoveryCode(identity::UserId id, const std::string& hash) {
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  PASIP_ASSIGN_OR_RETURN(
      n, c->Execute("DELETE FROM recovery_codes WHERE user_id = ? AND code_hash = ?", {id, hash}));
  return n == 1;
}

// --- Sessions ------------------------------------------------------------------------

Status SqlSessionStore::Create(const Session& s) {
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  PASIP_TRY(c->Execute(
      std::string("INSERT INTO sessions (") + kSessionColumns + ") VALUES (?, ?, ?, ?, ?, ?, ?)",
      {s.id, s.user_id, s.created_at, s.last_seen_at, s.csrf_token, s.second_factor_verified,
       s.user_agent}));
  return Ok();
}

Result<std::optional<Session>> SqlSessionStore::Find(const std::string& id) {
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  PASIP_ASSIGN_OR_RETURN(
      row,
      c->QueryOne(std::string("SELECT ") + kSessionColumns + " FROM sessions WHERE id = ?", {id}));
  if (!row) return std::optional<Session>();
  return std::optional<Session>(ToSession(*row));
}

Status SqlSessionStore::Touch(const std::string& id, TimePoint at) {
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  PASIP_TRY(c->Execute("UPDATE sessions SET last_seen_at = ? WHERE id = ?", {at, id}));
  return Ok();
}

Status SqlSessionStore::MarkSecondFactorVerified(const std::string& id) {
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  PASIP_TRY(c->Execute("UPDATE sessions SET second_factor_verified = 1 WHERE id = ?", {id}));
  return Ok();
}

Status SqlSessionStore::Delete(const std::string& id) {
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  PASIP_TRY(c->Execute("DELETE FROM sessions WHERE id = ?", {id}));
  return Ok();
}

Status SqlSessionStore::DeleteForUser(identity::UserId user_id, const std::string& keep_id) {
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  PASIP_TRY(c->Execute("DELETE FROM sessions WHERE user_id = ? AND id <> ?", {user_id, keep_id}));
  return Ok();
}

Result<std::vector<Session>> SqlSessionStore::ListForUser(identity::UserId user_id) {
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  PASIP_ASSIGN_OR_RETURN(rows, c->Query(std::string("SELECT ") + kSessionColumns +
                                            " FROM sessions WHERE user_id = ? "
                                            "ORDER BY last_seen_at DESC",
                                        {user_id}));
  std::vector<Session> out;
  for (const Row& r : rows) out.push_back(ToSession(r));
  return out;
}

Result<std::int64_t> SqlSessionStore::DeleteExpired(TimePoint idle_before,
                                                    TimePoint created_before) {
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  return c->Execute("DELETE FROM sessions WHERE last_seen_at < ? OR created_at < ?",
                    {idle_before, created_before});
}

// --- Sign-in throttling --------------------------------------------------------------

Status SqlLoginThrottleStore::RecordFailure(const std::string& key, TimePoint at) {
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  PASIP_TRY(c->Execute("INSERT INTO login_failures (throttle_key, at) VALUES (?, ?)", {key, at}));
  return Ok();
}

Result<int> SqlLoginThrottleStore::CountFailuresSince(const std::string& key, TimePoint since) {
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  PASIP_ASSIGN_OR_RETURN(
      row, c->QueryOne("SELECT COUNT(*) FROM login_failures WHERE throttle_key = ? AND at >= ?",
                       {key, since}));
  return row ? static_cast<int>(row->Int(0)) : 0;
}

Status SqlLoginThrottleStore::Clear(const std::string& key) {
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  PASIP_TRY(c->Execute("DELETE FROM login_failures WHERE throttle_key = ?", {key}));
  return Ok();
}

Result<std::int64_t> SqlLoginThrottleStore::DeleteBefore(TimePoint before) {
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  return c->Execute("DELETE FROM login_failures WHERE at < ?", {before});
}

}  // namespace pasip::storage
