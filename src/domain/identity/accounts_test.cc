#include "domain/identity/accounts.h"

#include <gtest/gtest.h>

#include "core/crypto.h"
#include "domain/identity/memory_stores_test_util.h"
#include "domain/identity/totp.h"

namespace pasip::identity {
namespace {

using testing::MemoryAuditStore;
using testing::MemoryIdentityStore;
using testing::MemorySessionStore;
using testing::MemoryThrottleStore;

class AccountsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { crypto::InitCrypto(); }

  AccountsTest()
      : clock_(*ParseIso("2026-11-22T09:00:00Z")),
        audit_(audit_store_, clock_),
        accounts_(identity_, sessions_, throttle_, audit_, clock_) {
    Organisation o;
    o.name = "CCAS";
    o.kind = "ccas-cias";
    org_ = identity_.CreateOrganisation(o)->id;
  }

  User MakeUser(const std::string& email, Role role) {
    auto u = accounts_.CreateUser({email, "Camille", "un mot de passe sûr", {{org_, role, {}}}},
                                  {0, "test"});
    EXPECT_TRUE(u) << u.error().ToString();
    return *u;
  }

  Result<SignInResult> SignIn(const std::string& email, const std::string& password,
                              std::optional<std::string> totp = {}) {
    return accounts_.SignIn({email, password, totp, "127.0.0.1", "test"}, {0, "r"});
  }

  ManualClock clock_;
  MemoryIdentityStore identity_;
  MemorySessionStore sessions_;
  MemoryThrottleStore throttle_;
  MemoryAuditStore audit_store_;
  audit::AuditLog audit_;
  AccountService accounts_;
  OrganisationId org_ = 0;
};

TEST_F(AccountsTest, PasswordsNeedTwelveCharacters) {
  EXPECT_EQ(AccountService::ValidatePassword("onze-caract", "password").error().field, "password");
  EXPECT_TRUE(AccountService::ValidatePassword("douze-caract", "password"));
  EXPECT_TRUE(AccountService::ValidatePassword("éééééééééééé", "password"));
  auto r = accounts_.CreateUser({"a@b.fr", "A", "court", {}}, {});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().field, "password");
}

TEST_F(AccountsTest, CreateUserValidatesAndRefusesDuplicates) {
  MakeUser("Agent@Exemple.fr", Role::kAccueil);
  const auto dup = accounts_.CreateUser({"agent@exemple.fr", "B", "un mot de passe sûr", {}}, {});
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code, ErrorCode::kAlreadyExists);
  EXPECT_EQ(dup.error().field, "email");
  EXPECT_EQ(
      accounts_.CreateUser({"pas-un-email", "B", "un mot de passe sûr", {}}, {}).error().field,
      "email");
  EXPECT_EQ(
      accounts_.CreateUser({"c@d.fr", "B", "un mot de passe sûr", {{999, Role::kAccueil, {}}}}, {})
          .error()
          .field,
      "organisation_id");
}

TEST_F(AccountsTest, SignInCreatesANewSessionEachTime) {
  MakeUser("agent@exemple.fr", Role::kAccueil);
  auto a = SignIn("agent@exemple.fr", "un mot de passe sûr");
  auto b = SignIn(" AGENT@exemple.fr ", "un mot de passe sûr");
  ASSERT_TRUE(a && b);
  EXPECT_NE(a->token, b->token);
  EXPECT_NE(a->session.id, a->token);  // only the hash is stored
  EXPECT_EQ(a->session.id, SessionIdFromToken(a->token));
  EXPECT_FALSE(a->second_factor_pending);
  EXPECT_TRUE(a->session.second_factor_verified);
  EXPECT_TRUE(accounts_.Authenticate(a->token));
}

TEST_F(AccountsTest, BadCredentialsGiveOneMessageAndAreAudited) {
  MakeUser("agent@exemple.fr", Role::kAccueil);
  const auto wrong = SignIn("agent@exemple.fr", "mauvais mot de passe");
  const auto unknown = SignIn("personne@exemple.fr", "mauvais mot de passe");
  ASSERT_FALSE(wrong);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(wrong.error().code, ErrorCode::kUnauthenticated);
  EXPECT_EQ(wrong.error().message, unknown.error().message);
  ASSERT_FALSE(audit_store_.entries.empty());
  EXPECT_EQ(audit_store_.entries.back().outcome, audit::Outcome::kFailure);
}

TEST_F(AccountsTest, ThrottlesAfterFiveFailuresThenRecovers) {
  MakeUser("agent@exemple.fr", Role::kAccueil);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(SignIn("agent@exemple.fr", "mauvais mot de passe").error().code,
              ErrorCode::kUnauthenticated);
  }
  // Even the right password is refused while throttled.
  EXPECT_EQ(SignIn("agent@exemple.fr", "un mot de passe sûr").error().code,
            ErrorCode::kResourceExhausted);
  clock_.Advance(std::chrono::minutes(16));
  EXPECT_TRUE(SignIn("agent@exemple.fr", "un mot de passe sûr"));
}

TEST_F(AccountsTest, DisabledUsersCannotSignInAndLoseTheirSessions) {
  const User u = MakeUser("agent@exemple.fr", Role::kAccueil);
  auto s = SignIn("agent@exemple.fr", "un mot de passe sûr");
  ASSERT_TRUE(s);
  ASSERT_TRUE(accounts_.Authenticate(s->token));  // now in this thread's cache
  ASSERT_TRUE(accounts_.SetDisabled(u.id, true, {99, "r"}));
  EXPECT_FALSE(accounts_.Authenticate(s->token));
  EXPECT_EQ(SignIn("agent@exemple.fr", "un mot de passe sûr").error().code,
            ErrorCode::kUnauthenticated);
  ASSERT_TRUE(accounts_.SetDisabled(u.id, false, {99, "r"}));
  EXPECT_TRUE(SignIn("agent@exemple.fr", "un mot de passe sûr"));
}

TEST_F(AccountsTest, IdleAndAbsoluteTimeouts) {
  MakeUser("agent@exemple.fr", Role::kAccueil);
  auto s = SignIn("agent@exemple.fr", "un mot de passe sûr");
  ASSERT_TRUE(s);
  clock_.Advance(std::chrono::minutes(29));
  EXPECT_TRUE(accounts_.Authenticate(s->token));  // refreshes the idle timer
  clock_.Advance(std::chrono::minutes(29));
  EXPECT_TRUE(accounts_.Authenticate(s->token));
  clock_.Advance(std::chrono::minutes(31));
  EXPECT_EQ(accounts_.Authenticate(s->token).error().code, ErrorCode::kUnauthenticated);

  auto t = SignIn("agent@exemple.fr", "un mot de passe sûr");
  ASSERT_TRUE(t);
  for (int i = 0; i < 24 * 2; ++i) {  // active every 15 minutes for 12 hours
    clock_.Advance(std::chrono::minutes(15));
    if (i < 47) {
      EXPECT_TRUE(accounts_.Authenticate(t->token)) << i;
    }
  }
  clock_.Advance(std::chrono::minutes(1));
  EXPECT_FALSE(accounts_.Authenticate(t->token));
}

TEST_F(AccountsTest, ChangesMadeElsewhereAreSeenWithinTheCacheDelay) {
  MakeUser("agent@exemple.fr", Role::kAccueil);
  auto s = SignIn("agent@exemple.fr", "un mot de passe sûr");
  ASSERT_TRUE(accounts_.Authenticate(s->token));
  // Another server instance signs the session out: this one may still use its cached
  // copy for less than a second, then asks the database again.
  sessions_.sessions.clear();
  EXPECT_TRUE(accounts_.Authenticate(s->token));
  clock_.Advance(std::chrono::milliseconds(1000));
  EXPECT_EQ(accounts_.Authenticate(s->token).error().code, ErrorCode::kUnauthenticated);
}

TEST_F(AccountsTest, SignOutInvalidatesServerSide) {
  MakeUser("agent@exemple.fr", Role::kAccueil);
  auto s = SignIn("agent@exemple.fr", "un mot de passe sûr");
  ASSERT_TRUE(s);
  ASSERT_TRUE(accounts_.Authenticate(s->token));
  ASSERT_TRUE(accounts_.SignOut(s->token, {s->user.id, "r"}));
  EXPECT_FALSE(accounts_.Authenticate(s->token));
}

TEST_F(AccountsTest, SecondFactorEnrolmentVerificationAndRecoveryCodes) {
  MakeUser("admin@exemple.fr", Role::kAdmin);
  auto s = SignIn("admin@exemple.fr", "un mot de passe sûr");
  ASSERT_TRUE(s);
  EXPECT_TRUE(s->enrolment_pending);
  auto auth = accounts_.Authenticate(s->token);
  ASSERT_TRUE(auth);
  EXPECT_TRUE(auth->ToPrincipal().SecondFactorPending());

  const std::string secret = NewTotpSecret();
  EXPECT_EQ(accounts_.ConfirmTotpEnrolment(*auth, secret, "000000", {}).error().field, "code");
  auto enrolled = accounts_.ConfirmTotpEnrolment(*auth, secret, TotpCode(secret, clock_.Now()), {});
  ASSERT_TRUE(enrolled) << enrolled.error().ToString();
  const auto* codes = &enrolled->recovery_codes;
  EXPECT_EQ(codes->size(), 10u);
  // The session was replaced: the token seen before the second factor is worthless.
  EXPECT_FALSE(accounts_.Authenticate(s->token));
  EXPECT_FALSE(accounts_.Authenticate(enrolled->token)->ToPrincipal().SecondFactorPending());

  // A new sign-in needs the code; the same code cannot be used twice.
  clock_.Advance(std::chrono::seconds(30));
  auto s2 = SignIn("admin@exemple.fr", "un mot de passe sûr");
  ASSERT_TRUE(s2);
  EXPECT_TRUE(s2->second_factor_pending);
  auto auth2 = accounts_.Authenticate(s2->token);
  const std::string code = TotpCode(secret, clock_.Now());
  const std::string old_csrf = auth2->session.csrf_token;
  const auto renewed = accounts_.VerifySecondFactor(*auth2, code, {});
  ASSERT_TRUE(renewed);
  EXPECT_FALSE(accounts_.Authenticate(s2->token));
  auto after = accounts_.Authenticate(*renewed);
  ASSERT_TRUE(after);
  EXPECT_TRUE(after->session.second_factor_verified);
  EXPECT_NE(after->session.csrf_token, old_csrf);
  auto s3 = SignIn("admin@exemple.fr", "un mot de passe sûr");
  auto auth3 = accounts_.Authenticate(s3->token);
  EXPECT_FALSE(accounts_.VerifySecondFactor(*auth3, code, {}));  // replay refused
  // A recovery code works once.
  ASSERT_TRUE(accounts_.VerifySecondFactor(*auth3, (*codes)[0], {}));
  auto s4 = SignIn("admin@exemple.fr", "un mot de passe sûr");
  auto auth4 = accounts_.Authenticate(s4->token);
  EXPECT_FALSE(accounts_.VerifySecondFactor(*auth4, (*codes)[0], {}));
}

TEST_F(AccountsTest, SignInWithTotpInOneStep) {
  const User u = MakeUser("social@exemple.fr", Role::kSocial);
  const std::string secret = NewTotpSecret();
  ASSERT_TRUE(identity_.SetTotpSecret(u.id, secret));
  auto bad = SignIn("social@exemple.fr", "un mot de passe sûr", std::string("123456"));
  if (TotpCode(secret, clock_.Now()) != "123456") {
    EXPECT_FALSE(bad);
  }
  auto ok = SignIn("social@exemple.fr", "un mot de passe sûr", TotpCode(secret, clock_.Now()));
  ASSERT_TRUE(ok);
  EXPECT_TRUE(ok->session.second_factor_verified);
}

TEST_F(AccountsTest, TheCodeGivenWithThePasswordCannotBeGuessedAtWill) {
  const User u = MakeUser("admin@exemple.fr", Role::kAdmin);
  const std::string secret = NewTotpSecret();
  ASSERT_TRUE(identity_.SetTotpSecret(u.id, secret));
  const std::string right = TotpCode(secret, clock_.Now());
  const std::string wrong = right == "000000" ? "111111" : "000000";
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(SignIn("admin@exemple.fr", "un mot de passe sûr", wrong).error().code,
              ErrorCode::kUnauthenticated);
  }
  EXPECT_EQ(SignIn("admin@exemple.fr", "un mot de passe sûr", right).error().code,
            ErrorCode::kResourceExhausted);
}

TEST_F(AccountsTest, OneAddressMayFailForOneAccountWithoutLockingOthersOut) {
  MakeUser("a@exemple.fr", Role::kAccueil);
  MakeUser("b@exemple.fr", Role::kAccueil);
  for (int i = 0; i < 5; ++i) ASSERT_FALSE(SignIn("a@exemple.fr", "mauvais mot de passe"));
  EXPECT_EQ(SignIn("a@exemple.fr", "un mot de passe sûr").error().code,
            ErrorCode::kResourceExhausted);
  EXPECT_TRUE(SignIn("b@exemple.fr", "un mot de passe sûr"));  // same address
  for (int i = 0; i < 50; ++i) {
    (void)SignIn("inconnu" + std::to_string(i) + "@exemple.fr", "mauvais mot de passe");
  }
  EXPECT_EQ(SignIn("b@exemple.fr", "un mot de passe sûr").error().code,
            ErrorCode::kResourceExhausted);  // one address trying many accounts is stopped
}

TEST_F(AccountsTest, AdministratorsCannotLockThemselvesOrTheDeploymentOut) {
  const User admin = MakeUser("admin@exemple.fr", Role::kAdmin);
  const audit::Context self{admin.id, "r"};
  EXPECT_EQ(accounts_.UpdateUser(admin.id, admin.email, "Admin", {{org_, Role::kAccueil, {}}}, self)
                .error()
                .code,
            ErrorCode::kFailedPrecondition);
  EXPECT_EQ(accounts_.SetDisabled(admin.id, true, self).error().code,
            ErrorCode::kFailedPrecondition);
  EXPECT_EQ(accounts_.ResetPassword(admin.id, "un autre mot de passe", self).error().code,
            ErrorCode::kFailedPrecondition);
  EXPECT_EQ(accounts_.ResetSecondFactor(admin.id, self).error().code,
            ErrorCode::kFailedPrecondition);
  // From the command line (no user), the last administrator cannot be disabled either.
  EXPECT_EQ(accounts_.SetDisabled(admin.id, true, {0, "cli"}).error().code,
            ErrorCode::kFailedPrecondition);
  const User second = MakeUser("admin2@exemple.fr", Role::kAdmin);
  EXPECT_TRUE(accounts_.SetDisabled(admin.id, true, {second.id, "r"}));
  EXPECT_EQ(accounts_.SetDisabled(second.id, true, {0, "cli"}).error().code,
            ErrorCode::kFailedPrecondition);
}

TEST_F(AccountsTest, ChangingPasswordIsThrottledAndAudited) {
  MakeUser("agent@exemple.fr", Role::kAccueil);
  auto s = SignIn("agent@exemple.fr", "un mot de passe sûr");
  auto auth = accounts_.Authenticate(s->token);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(
        accounts_.ChangePassword(*auth, "essai", "nouveau mot de passe", "nouveau mot de passe", {})
            .error()
            .field,
        "current_password");
  }
  EXPECT_EQ(accounts_
                .ChangePassword(*auth, "un mot de passe sûr", "nouveau mot de passe",
                                "nouveau mot de passe", {})
                .error()
                .code,
            ErrorCode::kResourceExhausted);
  EXPECT_EQ(audit_store_.entries.back().outcome, audit::Outcome::kFailure);
}

TEST_F(AccountsTest, ChangePasswordClosesOtherSessions) {
  MakeUser("agent@exemple.fr", Role::kAccueil);
  auto a = SignIn("agent@exemple.fr", "un mot de passe sûr");
  auto b = SignIn("agent@exemple.fr", "un mot de passe sûr");
  auto auth = accounts_.Authenticate(a->token);
  EXPECT_EQ(
      accounts_.ChangePassword(*auth, "faux", "nouveau mot de passe", "nouveau mot de passe", {})
          .error()
          .field,
      "current_password");
  EXPECT_EQ(
      accounts_
          .ChangePassword(*auth, "un mot de passe sûr", "nouveau mot de passe", "autre chose", {})
          .error()
          .field,
      "new_password_confirm");
  ASSERT_TRUE(accounts_.ChangePassword(*auth, "un mot de passe sûr", "nouveau mot de passe",
                                       "nouveau mot de passe", {}));
  EXPECT_TRUE(accounts_.Authenticate(a->token));
  EXPECT_FALSE(accounts_.Authenticate(b->token));
  EXPECT_TRUE(SignIn("agent@exemple.fr", "nouveau mot de passe"));
}

TEST_F(AccountsTest, CleanUpRemovesExpiredSessions) {
  MakeUser("agent@exemple.fr", Role::kAccueil);
  ASSERT_TRUE(SignIn("agent@exemple.fr", "un mot de passe sûr"));
  clock_.Advance(std::chrono::minutes(45));
  ASSERT_TRUE(SignIn("agent@exemple.fr", "un mot de passe sûr"));
  EXPECT_EQ(*accounts_.CleanUpSessions(), 1);
  EXPECT_EQ(sessions_.sessions.size(), 1u);
}

}  // namespace
}  // namespace pasip::identity
