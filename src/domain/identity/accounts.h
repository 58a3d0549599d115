// Account use cases: sign-in with throttling, server-side sessions with idle and absolute
// timeouts, second factor (TOTP and recovery codes), passwords, and user administration.
//
// Rules (security.md S8, S9): passwords of at least 12 characters hashed with Argon2id; a
// new session id at every sign-in; idle timeout 30 min and absolute 12 h by default;
// sign-out deletes the session server-side; after `max_failures` failed attempts within
// `throttle_window` for one e-mail (or one account's second factor, or its current password
// when changing it), or `max_failures_per_address` for one address, attempts are refused;
// admin and social roles must pass a TOTP second factor. Every sign-in, sign-out and
// account change is audited. Thread-safe (the stores are; the session cache is per thread).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "domain/audit/audit.h"
#include "domain/identity/model.h"
#include "domain/identity/policy.h"
#include "domain/identity/ports.h"

namespace pasip::identity {

struct SessionPolicy {
  std::chrono::seconds idle_timeout{30 * 60};
  std::chrono::seconds absolute_timeout{12 * 3600};
  int max_failures = 5;  // per e-mail, per account's second factor, per current password
  // Per client address: higher, since a whole office may share one address (NAT), but
  // still bounding one machine that tries many accounts.
  int max_failures_per_address = 50;
  std::chrono::seconds throttle_window{15 * 60};
  // How long a thread may reuse a session it has just read, before asking the database
  // again (0 = always ask). Every change of sessions or accounts made through this service
  // invalidates at once; a change made by another process (another server instance, the
  // command line) is seen within this delay.
  std::chrono::milliseconds cache_ttl{1000};
};

struct SignInRequest {
  std::string email;
  std::string password;
  std::optional<std::string> totp;  // the API may send the code with the password
  std::string remote_address;
  std::string user_agent;
};

struct SignInResult {
  std::string token;  // goes into the cookie; never stored
  Session session;
  User user;
  bool second_factor_pending = false;  // enrolled: must enter a code
  bool enrolment_pending = false;      // role requires TOTP and none is enrolled yet
};

// A request's signed-in user and session.
struct AuthenticatedSession {
  Session session;
  User user;
  Principal ToPrincipal() const;
};

struct EnrolmentResult {
  std::vector<std::string> recovery_codes;
  std::string token;  // the new session's cookie token
};

// What an administrator changes on an account; absent members stay as they are.
struct UserChanges {
  std::optional<std::string> email;
  std::optional<std::string> display_name;
  std::optional<std::vector<Membership>> memberships;
  std::optional<bool> disabled;
};

struct NewUser {
  std::string email;
  std::string display_name;
  std::string password;
  std::vector<Membership> memberships;
};

class AccountService {
 public:
  AccountService(IdentityStore& identity, SessionStore& sessions, LoginThrottleStore& throttle,
                 audit::AuditLog& audit, const Clock& clock, SessionPolicy policy = {});

  // Fails with kUnauthenticated ("Adresse e-mail ou mot de passe incorrect.") whatever
  // was wrong, kResourceExhausted when throttled, kInvalidArgument for a missing field.
  Result<SignInResult> SignIn(const SignInRequest& request, const audit::Context& context);
  // kUnauthenticated when the token is unknown, expired (then deleted) or the user
  // disabled. Refreshes the idle timer.
  Result<AuthenticatedSession> Authenticate(std::string_view token);
  Status SignOut(std::string_view token, const audit::Context& context);

  // Checks a TOTP code or a recovery code for a session awaiting its second factor. On
  // success the session is replaced by a new one (new token and CSRF token, so that a token
  // seen before the second factor is worth nothing after it): returns the new cookie token;
  // `auth` describes the new session.
  Result<std::string> VerifySecondFactor(AuthenticatedSession& auth, std::string_view code,
                                         const audit::Context& context);
  // Enrols `secret` if `code` matches it; returns the recovery codes to show once and the
  // token of the new session that replaces the current one (as VerifySecondFactor).
  Result<EnrolmentResult> ConfirmTotpEnrolment(AuthenticatedSession& auth, std::string_view secret,
                                               std::string_view code,
                                               const audit::Context& context);

  // The other sessions of the user are closed.
  Status ChangePassword(const AuthenticatedSession& auth, std::string_view current,
                        std::string_view replacement, std::string_view confirmation,
                        const audit::Context& context);
  Result<std::vector<Session>> ListSessions(UserId user_id);
  // Closes one of the user's own sessions (by its id as listed).
  Status CloseSession(const AuthenticatedSession& auth, std::string_view session_id,
                      const audit::Context& context);

  // Administration. An administrator cannot disable themselves, remove their own admin
  // role or reset their own password or second factor here (they use their account page),
  // and no change may leave the deployment without an active administrator.
  Result<User> CreateUser(const NewUser& user, const audit::Context& context);
  // Checks every change before writing any (one write; disabling closes the sessions).
  Status UpdateUser(UserId id, const UserChanges& changes, const audit::Context& context);
  Status UpdateUser(UserId id, std::string_view email, std::string_view display_name,
                    const std::vector<Membership>& memberships, const audit::Context& context);
  Status SetDisabled(UserId id, bool disabled, const audit::Context& context);
  Status ResetPassword(UserId id, std::string_view password, const audit::Context& context);
  Status ResetSecondFactor(UserId id, const audit::Context& context);

  // Deletes expired sessions and old throttling records (scheduled job).
  Result<std::int64_t> CleanUpSessions();

  // At least 12 characters, at most 1024 bytes, valid UTF-8 (kInvalidArgument naming
  // `field`).
  static Status ValidatePassword(std::string_view password, std::string_view field);

  const SessionPolicy& policy() const { return policy_; }

 private:
  struct CachedSession {
    AuthenticatedSession auth;
    TimePoint fetched_at;
    std::uint64_t generation = 0;
  };
  // This thread's recently read sessions (for this service instance).
  std::unordered_map<std::string, CachedSession>& ThreadCache() const;
  // Makes every cached session stale: called by each change of sessions or accounts.
  void InvalidateCache() { generation_.fetch_add(1, std::memory_order_acq_rel); }
  bool Expired(const Session& session, TimePoint now) const;
  Result<std::string> RotateVerifiedSession(AuthenticatedSession& auth);

  Status ValidateMemberships(const std::vector<Membership>& memberships);
  Status CheckThrottle(const std::string& key, int max_failures);
  Result<User> RequireUser(UserId id);
  // Refuses a change that would leave no active administrator.
  Status KeepAnAdministrator(const User& before, bool stays_admin);

  IdentityStore& identity_;
  SessionStore& sessions_;
  LoginThrottleStore& throttle_;
  audit::AuditLog& audit_;
  const Clock& clock_;
  SessionPolicy policy_;
  const std::uint64_t instance_id_;
  std::atomic<std::uint64_t> generation_{0};
};

// Hex SHA-256 of a cookie token: the id under which its session is stored.
std::string SessionIdFromToken(std::string_view token);

}  // namespace pasip::identity
