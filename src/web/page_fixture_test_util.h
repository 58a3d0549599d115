// The fixture shared by the page tests (web_test): every service on the in-memory stores, a
// router with the pages registered, signed-in callers, and requests passed to the handlers
// as the application's pipeline would.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "core/crypto.h"
#include "domain/directory/memory_store_test_util.h"
#include "domain/identity/memory_stores_test_util.h"
#include "domain/mail/memory_outbox_test_util.h"
#include "domain/orientation/memory_store_test_util.h"
#include "domain/reception/memory_store_test_util.h"
#include "web/page.h"
#include "web/page_test_util.h"
#include "web/web.h"

namespace pasip::web::test_util {

class PageFixture : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { crypto::InitCrypto(); }

  // `now` starts the clock; `stamp_directory` gives the directory store that clock (it stamps
  // what it saves). The suite sets options_, then registers the pages.
  explicit PageFixture(const char* now, bool stamp_directory = false)
      : clock_(*ParseIso(now)),
        audit_(audit_store_, clock_),
        accounts_(identity_, sessions_, throttle_, audit_, clock_),
        organisations_(identity_, audit_),
        directory_store_(stamp_directory ? &clock_ : nullptr),
        directory_(directory_store_, territory_, audit_, clock_),
        reception_(reception_store_, identity_, audit_, clock_),
        orientation_store_(outbox_),
        orientation_(orientation_store_, outbox_, reception_, directory_, identity_, audit_,
                     clock_),
        services_{clock_,     audit_,     identity_,  accounts_,    organisations_, queue_,
                  territory_, directory_, reception_, orientation_, outbox_} {}

  // Rennes (35238) in the territory, with these postcodes.
  void AddRennes(std::vector<std::string> postcodes) {
    territory::Commune rennes;
    rennes.code = "35238";
    rennes.name = "Rennes";
    rennes.departement = "35";
    rennes.region = "53";
    rennes.codes_postaux = std::move(postcodes);
    EXPECT_TRUE(territory_.UpsertCommunes(std::vector<territory::Commune>{rennes}));
  }

  identity::OrganisationId CreateOrganisation(const std::string& name) {
    identity::Organisation o;
    o.name = name;
    o.kind = "ccas-cias";
    auto created = organisations_.Create(o, {});
    EXPECT_TRUE(created);
    return created->id;
  }

  void CreateAccount(const std::string& email, const std::string& name,
                     identity::OrganisationId organisation, identity::Role role) {
    auto created = accounts_.CreateUser(
        {email, name, "mot de passe assez long", {{organisation, role, {}}}}, {});
    EXPECT_TRUE(created) << created.error().ToString();
  }

  // Signs `email` in as the pipeline would see it afterwards.
  identity::Caller SignedIn(const std::string& email, bool second_factor_done = true) {
    auto result = accounts_.SignIn({email, "mot de passe assez long", {}, "127.0.0.1", "test"}, {});
    EXPECT_TRUE(result) << result.error().ToString();
    identity::Caller caller;
    caller.auth = *accounts_.Authenticate(result->token);
    caller.auth->session.second_factor_verified = second_factor_done;
    caller.principal = caller.auth->ToPrincipal();
    caller.audit = {caller.auth->user.id, "req"};
    caller.token = result->token;
    caller.csrf_token = caller.auth->session.csrf_token;
    return caller;
  }

  // What a suite checks of the route a request found; nothing by default.
  virtual void CheckRoute(const http::Route& /*route*/, const std::string& /*target*/) {}

  http::Response Call(http::Method method, const std::string& target,
                      const identity::Caller& caller, const std::string& body = "",
                      bool htmx = false) {
    http::Request request;
    request.method = method;
    request.target = target;
    const std::size_t question = target.find('?');
    request.path = target.substr(0, question);
    if (question != std::string::npos) {
      request.query = *http::FormData::Parse(target.substr(question + 1));
    }
    if (htmx) request.headers.emplace("HX-Request", "true");
    request.body = body;
    request.request_id = "req";
    request.remote_address = remote_address_;
    request.context = caller;
    const http::Match match = router_.Find(method, request.path);
    EXPECT_NE(match.route, nullptr) << target;
    if (match.route == nullptr) return http::Response::Text(404, "");
    CheckRoute(*match.route, target);
    request.path_params = match.params;
    request.route = match.route->pattern;
    return match.route->handler(request);
  }
  http::Response Get(const std::string& target, const identity::Caller& caller) {
    return Call(http::Method::kGet, target, caller);
  }
  http::Response Post(const std::string& target, const identity::Caller& caller,
                      const std::string& body) {
    return Call(http::Method::kPost, target, caller, "csrf=x&" + body);
  }

  ManualClock clock_;
  identity::testing::MemoryIdentityStore identity_;
  identity::testing::MemorySessionStore sessions_;
  identity::testing::MemoryThrottleStore throttle_;
  identity::testing::MemoryAuditStore audit_store_;
  audit::AuditLog audit_;
  identity::AccountService accounts_;
  identity::OrganisationService organisations_;
  NoQueue queue_;
  directory::testing::MemoryTerritoryStore territory_;
  directory::testing::MemoryDirectoryStore directory_store_;
  directory::DirectoryService directory_;
  reception::testing::MemoryReceptionStore reception_store_;
  reception::ReceptionService reception_;
  mail::testing::MemoryOutbox outbox_;
  orientation::testing::MemoryOrientationStore orientation_store_;
  orientation::OrientationService orientation_;
  Services services_;
  Options options_;
  http::Router router_;
  std::string remote_address_;  // of every request; empty unless a suite sets it
};

// The page suites of issue 4 also check that the route is a page route with a known action.
class CheckedPageFixture : public PageFixture {
 protected:
  using PageFixture::PageFixture;
  void CheckRoute(const http::Route& route, const std::string& target) override {
    EXPECT_EQ(route.kind, http::RouteKind::kPage);
    EXPECT_TRUE(identity::ParseAction(route.action)) << target;
  }
};

}  // namespace pasip::web::test_util
