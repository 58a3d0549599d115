#include "domain/identity/accounts.h"

#include <algorithm>

#include "core/crypto.h"
#include "core/text.h"
#include "domain/identity/totp.h"

namespace pasip::identity {
namespace {

constexpr char kBadCredentials[] = "Adresse e-mail ou mot de passe incorrect.";
// Refresh last_seen_at at most once a minute: the idle timeout is 30 minutes, so a minute
// of imprecision is harmless and saves a write per request.
constexpr std::chrono::seconds kTouchEvery{60};

Status ValidateEmail(std::string_view email) {
  if (text::Trim(email).empty()) {
    return Fail(InvalidArgument("Indiquez une adresse e-mail.", "email"));
  }
  if (!text::LooksLikeEmail(text::Trim(email)) || email.size() > 254) {
    return Fail(InvalidArgument("L'adresse e-mail n'est pas valide.", "email"));
  }
  return Ok();
}

Status ValidateDisplayName(std::string_view name) {
  const std::string_view trimmed = text::Trim(name);
  if (trimmed.empty()) return Fail(InvalidArgument("Indiquez un nom.", "display_name"));
  if (trimmed.size() > 200 || !text::IsValidUtf8(trimmed)) {
    return Fail(InvalidArgument("Le nom est trop long ou mal écrit.", "display_name"));
  }
  return Ok();
}

}  // namespace

std::string SessionIdFromToken(std::string_view token) {
  return crypto::ToHex(crypto::Sha256(token));
}

Principal AuthenticatedSession::ToPrincipal() const {
  Principal p;
  p.user_id = user.id;
  p.memberships = user.memberships;
  p.second_factor_verified = session.second_factor_verified;
  p.has_second_factor = user.HasTotp();
  return p;
}

AccountService::AccountService(IdentityStore& identity, SessionStore& sessions,
                               LoginThrottleStore& throttle, audit::AuditLog& audit,
                               const Clock& clock, SessionPolicy policy)
    : identity_(identity),
      sessions_(sessions),
      throttle_(throttle),
      audit_(audit),
      clock_(clock),
      policy_(policy),
      instance_id_([] {
        static std::atomic<std::uint64_t> next{0};
        return ++next;
      }()) {}

std::unordered_map<std::string, AccountService::CachedSession>& AccountService::ThreadCache()
    const {
  // Keyed by instance id, never by address: a later service may reuse a freed address.
  thread_local std::unordered_map<std::uint64_t, std::unordered_map<std::string, CachedSession>>
      caches;
  return caches[instance_id_];
}

bool AccountService::Expired(const Session& session, TimePoint now) const {
  return now - session.last_seen_at > policy_.idle_timeout ||
         now - session.created_at > policy_.absolute_timeout;
}

Status AccountService::ValidatePassword(std::string_view password, std::string_view field) {
  if (password.size() > 1024 || !text::IsValidUtf8(password)) {
    return Fail(InvalidArgument("Le mot de passe est trop long.", std::string(field)));
  }
  if (text::Utf8Length(password) < 12) {
    return Fail(InvalidArgument("Le mot de passe doit compter au moins 12 caractères.",
                                std::string(field)));
  }
  return Ok();
}

Status AccountService::CheckThrottle(const std::string& key, int max_failures) {
  auto failures = throttle_.CountFailuresSince(key, clock_.Now() - policy_.throttle_window);
  if (!failures) return Fail(failures.error());
  if (*failures >= max_failures) {
    const auto minutes =
        std::chrono::duration_cast<std::chrono::minutes>(policy_.throttle_window).count();
    return Fail(ResourceExhausted("Trop de tentatives de connexion. Réessayez dans " +
                                  std::to_string(minutes) + " minutes."));
  }
  return Ok();
}

Result<SignInResult> AccountService::SignIn(const SignInRequest& request,
                                            const audit::Context& context) {
  const std::string email = text::NormaliseEmail(request.email);
  if (email.empty()) return Fail(InvalidArgument("Indiquez votre adresse e-mail.", "email"));
  if (request.password.empty()) {
    return Fail(InvalidArgument("Indiquez votre mot de passe.", "password"));
  }
  const std::string email_key = "email:" + email;
  const std::string address_key = "addr:" + request.remote_address;
  PASIP_TRY(CheckThrottle(email_key, policy_.max_failures));
  if (!request.remote_address.empty()) {
    PASIP_TRY(CheckThrottle(address_key, policy_.max_failures_per_address));
  }

  PASIP_ASSIGN_OR_RETURN(found, identity_.FindUserByEmail(email));
  // Verify a hash even when the user is unknown, so that timing does not reveal accounts.
  static const std::string kDummyHash = crypto::HashPassword("mot de passe factice").value();
  const bool password_ok = crypto::VerifyPassword(
      found ? std::string_view(found->password_hash) : std::string_view(kDummyHash),
      request.password);
  if (!found || !password_ok || found->disabled) {
    const TimePoint now = clock_.Now();
    PASIP_TRY(throttle_.RecordFailure(email_key, now));
    if (!request.remote_address.empty()) PASIP_TRY(throttle_.RecordFailure(address_key, now));
    PASIP_TRY(
        audit_.Record(context, "sign_in", "user", found ? found->id : 0, audit::Outcome::kFailure));
    return Fail(Unauthenticated(kBadCredentials));
  }
  User user = std::move(*found);

  const bool needs_second_factor = user.RequiresSecondFactor() || user.HasTotp();
  bool verified = !needs_second_factor;
  if (needs_second_factor && request.totp && user.HasTotp()) {
    // The code given with the password is throttled like the second-factor page: the
    // password alone must not allow trying every code.
    const std::string second_factor_key = "2fa:" + std::to_string(user.id);
    PASIP_TRY(CheckThrottle(second_factor_key, policy_.max_failures));
    const auto step = VerifyTotp(user.totp_secret, *request.totp, clock_.Now());
    PASIP_ASSIGN_OR_RETURN(fresh,
                           step ? identity_.AdvanceTotpStep(user.id, *step) : Result<bool>(false));
    if (!fresh) {
      const TimePoint now = clock_.Now();
      PASIP_TRY(throttle_.RecordFailure(second_factor_key, now));
      PASIP_TRY(throttle_.RecordFailure(email_key, now));
      if (!request.remote_address.empty()) PASIP_TRY(throttle_.RecordFailure(address_key, now));
      PASIP_TRY(audit_.Record(context, "second_factor", "user", user.id, audit::Outcome::kFailure));
      return Fail(Unauthenticated("Le code de vérification est incorrect."));
    }
    PASIP_TRY(throttle_.Clear(second_factor_key));
    verified = true;
  }
  PASIP_TRY(throttle_.Clear(email_key));

  SignInResult result;
  result.token = crypto::RandomToken(32);
  Session& s = result.session;
  s.id = SessionIdFromToken(result.token);
  s.user_id = user.id;
  s.created_at = s.last_seen_at = clock_.Now();
  s.csrf_token = crypto::RandomToken(24);
  s.second_factor_verified = verified;
  s.user_agent = request.user_agent.substr(0, 200);
  PASIP_TRY(sessions_.Create(s));
  PASIP_TRY(audit_.Record({user.id, context.request_id}, "sign_in", "user", user.id));
  result.second_factor_pending = !verified && user.HasTotp();
  result.enrolment_pending = !verified && !user.HasTotp();
  result.user = std::move(user);
  return result;
}

Result<AuthenticatedSession> AccountService::Authenticate(std::string_view token) {
  if (token.empty() || token.size() > 128) return Fail(Unauthenticated());
  const std::string id = SessionIdFromToken(token);
  const TimePoint now = clock_.Now();
  // Read the generation before the database: a change that lands in between leaves the
  // entry stored below already stale.
  const std::uint64_t generation = generation_.load(std::memory_order_acquire);
  auto& cache = ThreadCache();
  if (const auto it = cache.find(id); it != cache.end()) {
    CachedSession& cached = it->second;
    if (cached.generation == generation && now >= cached.fetched_at &&
        now - cached.fetched_at < policy_.cache_ttl && !Expired(cached.auth.session, now) &&
        now - cached.auth.session.last_seen_at < kTouchEvery) {
      return cached.auth;
    }
    cache.erase(it);
  }

  PASIP_ASSIGN_OR_RETURN(session, sessions_.Find(id));
  if (!session) return Fail(Unauthenticated());
  if (Expired(*session, now)) {
    PASIP_TRY(sessions_.Delete(id));
    return Fail(Unauthenticated("Votre session a expiré. Veuillez vous reconnecter."));
  }
  PASIP_ASSIGN_OR_RETURN(user, identity_.FindUser(session->user_id));
  if (!user || user->disabled) {
    PASIP_TRY(sessions_.Delete(id));
    return Fail(Unauthenticated());
  }
  if (now - session->last_seen_at >= kTouchEvery) {
    PASIP_TRY(sessions_.Touch(id, now));
    session->last_seen_at = now;
  }
  AuthenticatedSession auth{std::move(*session), std::move(*user)};
  if (policy_.cache_ttl.count() > 0) {
    if (cache.size() >= 4096) cache.clear();  // bounded: at most a second's worth matters
    cache[id] = CachedSession{auth, now, generation};
  }
  return auth;
}

Status AccountService::SignOut(std::string_view token, const audit::Context& context) {
  const std::string id = SessionIdFromToken(token);
  PASIP_TRY(sessions_.Delete(id));
  InvalidateCache();
  return audit_.Record(context, "sign_out", "user", context.user_id);
}

Result<std::string> AccountService::VerifySecondFactor(AuthenticatedSession& auth,
                                                       std::string_view code,
                                                       const audit::Context& context) {
  const std::string key = "2fa:" + std::to_string(auth.user.id);
  PASIP_TRY(CheckThrottle(key, policy_.max_failures));
  if (!auth.user.HasTotp()) {
    return Fail(FailedPrecondition("Aucun second facteur n'est encore activé sur ce compte."));
  }
  bool ok = false;
  const std::string_view trimmed = text::Trim(code);
  if (trimmed.find('-') != std::string_view::npos || trimmed.size() == 8) {
    PASIP_ASSIGN_OR_RETURN(used,
                           identity_.ConsumeRecoveryCode(auth.user.id, HashRecoveryCode(trimmed)));
    ok = used;
    if (ok) PASIP_TRY(audit_.Record(context, "recovery_code_used", "user", auth.user.id));
  } else if (auto step = VerifyTotp(auth.user.totp_secret, trimmed, clock_.Now())) {
    PASIP_ASSIGN_OR_RETURN(fresh, identity_.AdvanceTotpStep(auth.user.id, *step));
    ok = fresh;
  }
  if (!ok) {
    PASIP_TRY(throttle_.RecordFailure(key, clock_.Now()));
    PASIP_TRY(
        audit_.Record(context, "second_factor", "user", auth.user.id, audit::Outcome::kFailure));
    return Fail(InvalidArgument("Le code est incorrect ou a déjà servi.", "code"));
  }
  PASIP_TRY(throttle_.Clear(key));
  PASIP_ASSIGN_OR_RETURN(token, RotateVerifiedSession(auth));
  PASIP_TRY(audit_.Record(context, "second_factor", "user", auth.user.id));
  return token;
}

Result<std::string> AccountService::RotateVerifiedSession(AuthenticatedSession& auth) {
  Session fresh = auth.session;
  const std::string token = crypto::RandomToken(32);
  fresh.id = SessionIdFromToken(token);
  fresh.csrf_token = crypto::RandomToken(24);
  fresh.second_factor_verified = true;
  fresh.last_seen_at = clock_.Now();  // created_at is kept: the absolute timeout still runs
  PASIP_TRY(sessions_.Create(fresh));
  PASIP_TRY(sessions_.Delete(auth.session.id));
  InvalidateCache();
  auth.session = std::move(fresh);
  return token;
}

Result<EnrolmentResult> AccountService::ConfirmTotpEnrolment(AuthenticatedSession& auth,
                                                             std::string_view secret,
                                                             std::string_view code,
                                                             const audit::Context& context) {
  if (auth.user.HasTotp() && !auth.session.second_factor_verified) {
    return Fail(FailedPrecondition(
        "Un second facteur est déjà activé : saisissez d'abord son code pour le remplacer."));
  }
  const auto decoded = crypto::Base32Decode(secret);
  if (!decoded || decoded->size() < 10) {
    return Fail(InvalidArgument("La clé secrète n'est pas valide.", "secret"));
  }
  const auto step = VerifyTotp(secret, code, clock_.Now());
  if (!step) {
    return Fail(InvalidArgument(
        "Le code ne correspond pas. Vérifiez l'heure de votre téléphone et réessayez.", "code"));
  }
  PASIP_TRY(identity_.SetTotpSecret(auth.user.id, std::string(secret)));
  PASIP_TRY(identity_.AdvanceTotpStep(auth.user.id, *step));
  std::vector<std::string> codes = NewRecoveryCodes();
  std::vector<std::string> hashes;
  for (const std::string& c : codes) hashes.push_back(HashRecoveryCode(c));
  PASIP_TRY(identity_.ReplaceRecoveryCodes(auth.user.id, hashes));
  PASIP_ASSIGN_OR_RETURN(token, RotateVerifiedSession(auth));
  auth.user.totp_secret = std::string(secret);
  PASIP_TRY(audit_.Record(context, "second_factor_enrolled", "user", auth.user.id));
  return EnrolmentResult{std::move(codes), std::move(token)};
}

Status AccountService::ChangePassword(const AuthenticatedSession& auth, std::string_view current,
                                      std::string_view replacement, std::string_view confirmation,
                                      const audit::Context& context) {
  // Someone at an unattended session must not be able to try passwords at will.
  const std::string key = "pwd:" + std::to_string(auth.user.id);
  PASIP_TRY(CheckThrottle(key, policy_.max_failures));
  if (!crypto::VerifyPassword(auth.user.password_hash, current)) {
    PASIP_TRY(throttle_.RecordFailure(key, clock_.Now()));
    PASIP_TRY(
        audit_.Record(context, "password_changed", "user", auth.user.id, audit::Outcome::kFailure));
    return Fail(InvalidArgument("Le mot de passe actuel est incorrect.", "current_password"));
  }
  PASIP_TRY(throttle_.Clear(key));
  PASIP_TRY(ValidatePassword(replacement, "new_password"));
  if (replacement != confirmation) {
    return Fail(InvalidArgument("Les deux saisies du nouveau mot de passe diffèrent.",
                                "new_password_confirm"));
  }
  PASIP_ASSIGN_OR_RETURN(hash, crypto::HashPassword(replacement));
  PASIP_TRY(identity_.SetPasswordHash(auth.user.id, hash));
  PASIP_TRY(sessions_.DeleteForUser(auth.user.id, auth.session.id));
  InvalidateCache();
  return audit_.Record(context, "password_changed", "user", auth.user.id);
}

Result<std::vector<Session>> AccountService::ListSessions(UserId user_id) {
  return sessions_.ListForUser(user_id);
}

Status AccountService::CloseSession(const AuthenticatedSession& auth, std::string_view session_id,
                                    const audit::Context& context) {
  PASIP_ASSIGN_OR_RETURN(list, sessions_.ListForUser(auth.user.id));
  const bool owned =
      std::any_of(list.begin(), list.end(), [&](const Session& s) { return s.id == session_id; });
  if (!owned) return Fail(NotFound("Cette session n'existe pas ou est déjà fermée."));
  PASIP_TRY(sessions_.Delete(std::string(session_id)));
  InvalidateCache();
  return audit_.Record(context, "session_closed", "user", auth.user.id);
}

Status AccountService::ValidateMemberships(const std::vector<Membership>& memberships) {
  for (const Membership& m : memberships) {
    PASIP_ASSIGN_OR_RETURN(org, identity_.FindOrganisation(m.organisation_id));
    if (!org) return Fail(InvalidArgument("Cette organisation n'existe pas.", "organisation_id"));
    for (SiteId site_id : m.site_ids) {
      PASIP_ASSIGN_OR_RETURN(site, identity_.FindSite(site_id));
      if (!site || site->organisation_id != m.organisation_id) {
        return Fail(
            InvalidArgument("Ce lieu n'appartient pas à l'organisation choisie.", "site_ids"));
      }
    }
  }
  return Ok();
}

Result<User> AccountService::CreateUser(const NewUser& request, const audit::Context& context) {
  PASIP_TRY(ValidateEmail(request.email));
  PASIP_TRY(ValidateDisplayName(request.display_name));
  PASIP_TRY(ValidatePassword(request.password, "password"));
  PASIP_TRY(ValidateMemberships(request.memberships));
  User user;
  user.email = text::NormaliseEmail(request.email);
  user.display_name = std::string(text::Trim(request.display_name));
  user.memberships = request.memberships;
  user.created_at = clock_.Now();
  PASIP_ASSIGN_OR_RETURN(hash, crypto::HashPassword(request.password));
  user.password_hash = std::move(hash);
  auto created = identity_.CreateUser(user);
  if (!created && created.error().code == ErrorCode::kAlreadyExists) {
    return Fail(AlreadyExists("Un compte existe déjà avec cette adresse e-mail.", "email"));
  }
  if (!created) return created;
  PASIP_TRY(audit_.Record(context, "create", "user", created->id));
  return created;
}

Status AccountService::KeepAnAdministrator(const User& before, bool stays_admin) {
  const bool was_active_admin = before.HasRole(Role::kAdmin) && !before.disabled;
  if (!was_active_admin || stays_admin) return Ok();
  UserQuery query;
  query.include_disabled = false;
  query.limit = 1000;
  PASIP_ASSIGN_OR_RETURN(users, identity_.ListUsers(query));
  const auto admins = std::count_if(users.begin(), users.end(), [](const User& u) {
    return u.HasRole(Role::kAdmin) && !u.disabled;
  });
  if (admins <= 1) {
    return Fail(FailedPrecondition("Il doit rester au moins un compte d'administration actif."));
  }
  return Ok();
}

Result<User> AccountService::RequireUser(UserId id) {
  PASIP_ASSIGN_OR_RETURN(user, identity_.FindUser(id));
  if (!user) return Fail(NotFound("Ce compte n'existe pas."));
  return std::move(*user);
}

Status AccountService::UpdateUser(UserId id, const UserChanges& changes,
                                  const audit::Context& context) {
  // Everything is checked before anything is written: a refused change writes nothing.
  PASIP_ASSIGN_OR_RETURN(user, RequireUser(id));
  if (changes.email) PASIP_TRY(ValidateEmail(*changes.email));
  if (changes.display_name) PASIP_TRY(ValidateDisplayName(*changes.display_name));
  if (changes.memberships) PASIP_TRY(ValidateMemberships(*changes.memberships));
  const std::vector<Membership>& memberships =
      changes.memberships ? *changes.memberships : user.memberships;
  const bool disabled = changes.disabled.value_or(user.disabled);
  const bool stays_admin =
      !disabled && std::any_of(memberships.begin(), memberships.end(),
                               [](const Membership& m) { return m.role == Role::kAdmin; });
  if (id == context.user_id && disabled && !user.disabled) {
    return Fail(FailedPrecondition("Vous ne pouvez pas désactiver votre propre compte."));
  }
  if (id == context.user_id && user.HasRole(Role::kAdmin) && !stays_admin) {
    return Fail(
        FailedPrecondition("Vous ne pouvez pas retirer votre propre rôle d'administration."));
  }
  PASIP_TRY(KeepAnAdministrator(user, stays_admin));

  const bool newly_disabled = disabled && !user.disabled;
  const bool enabled_again = !disabled && user.disabled;
  if (changes.email) user.email = text::NormaliseEmail(*changes.email);
  if (changes.display_name) user.display_name = std::string(text::Trim(*changes.display_name));
  user.memberships = memberships;
  user.disabled = disabled;
  auto updated = identity_.UpdateUser(user);
  if (!updated && updated.error().code == ErrorCode::kAlreadyExists) {
    return Fail(AlreadyExists("Un compte existe déjà avec cette adresse e-mail.", "email"));
  }
  PASIP_TRY(updated);
  if (newly_disabled) PASIP_TRY(sessions_.DeleteForUser(id, ""));
  InvalidateCache();
  if (changes.email || changes.display_name || changes.memberships) {
    PASIP_TRY(audit_.Record(context, "update", "user", id));
  }
  if (newly_disabled || enabled_again) {
    PASIP_TRY(audit_.Record(context, newly_disabled ? "disable" : "enable", "user", id));
  }
  return Ok();
}

Status AccountService::UpdateUser(UserId id, std::string_view email, std::string_view display_name,
                                  const std::vector<Membership>& memberships,
                                  const audit::Context& context) {
  return UpdateUser(id, {std::string(email), std::string(display_name), memberships, {}}, context);
}

Status AccountService::SetDisabled(UserId id, bool disabled, const audit::Context& context) {
  return UpdateUser(id, {{}, {}, {}, disabled}, context);
}

Status AccountService::ResetPassword(UserId id, std::string_view password,
                                     const audit::Context& context) {
  PASIP_TRY(RequireUser(id));
  if (id == context.user_id) {
    return Fail(FailedPrecondition(
        "Changez votre propre mot de passe depuis « Mon compte » (l'actuel y est demandé)."));
  }
  PASIP_TRY(ValidatePassword(password, "password"));
  PASIP_ASSIGN_OR_RETURN(hash, crypto::HashPassword(password));
  PASIP_TRY(identity_.SetPasswordHash(id, hash));
  PASIP_TRY(sessions_.DeleteForUser(id, ""));
  InvalidateCache();
  return audit_.Record(context, "password_reset", "user", id);
}

Status AccountService::ResetSecondFactor(UserId id, const audit::Context& context) {
  PASIP_TRY(RequireUser(id));
  if (id == context.user_id) {
    return Fail(FailedPrecondition(
        "Un autre compte d'administration doit réinitialiser votre second facteur."));
  }
  PASIP_TRY(identity_.SetTotpSecret(id, ""));
  PASIP_TRY(identity_.ReplaceRecoveryCodes(id, {}));
  PASIP_TRY(sessions_.DeleteForUser(id, ""));
  InvalidateCache();
  return audit_.Record(context, "second_factor_reset", "user", id);
}

Result<std::int64_t> AccountService::CleanUpSessions() {
  const TimePoint now = clock_.Now();
  PASIP_ASSIGN_OR_RETURN(
      removed, sessions_.DeleteExpired(now - policy_.idle_timeout, now - policy_.absolute_timeout));
  PASIP_TRY(throttle_.DeleteBefore(now - policy_.throttle_window));
  InvalidateCache();
  return removed;
}

}  // namespace pasip::identity
