// The access policy: may this principal perform this action (on this resource)?
//
// Every HTTP route declares one Action by name; the request pipeline asks Authorize()
// before calling the handler, and domain use cases ask again when the answer depends on
// the resource (its organisation, the user's relation to a person). The role × action
// table lives in policy.cc and is checked against tests/data/policy_matrix.tsv. Pure
// functions, thread-safe.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "domain/identity/model.h"

namespace pasip::identity {

enum class Action {
  kPublic,              // anyone, signed in or not (home page, finder, health checks)
  kSignIn,              // the sign-in forms and API
  kSecondFactor,        // enrol or check the second factor; sign out
  kOwnAccount,          // own profile, password, sessions
  kDashboard,           // any signed-in professional
  kOrganisationsRead,   // list and view organisations and sites
  kOrganisationsWrite,  // create, edit, disable organisations and sites
  kUsersRead,
  kUsersWrite,
  kAuditRead,  // the audit log (data-protection officer, administrators)
  // Create and edit structures and services of the directory: coordination and admin on
  // all, partenaire on their organisation's (scope = the structure's organisation).
  kDirectoryWrite,
  // Reception (the premier accueil). Use cases check the person-level rules on top
  // (reception/access.h: following organisation, role, note visibility).
  kReceptionDesk,  // record passages, the site desk and queue: accueil, social
  kPassagesRead,   // list passages: accueil, social; coordination without named data
  kPersonsRead,    // search and read person files: accueil, social
  kPersonsWrite,   // create and edit person files, notes, consents, merges: accueil, social
  kPersonsExport,  // right-of-access export: accueil, social (their files), admin
  kPersonsAdmin,   // retention settings, purge log: admin
  // Orientation (fiche de liaison). Use cases check the relation on top (orienting or
  // recipient organisation, orientation/orientation.h).
  kOrientationsWrite,     // create, send, relaunch, cancel, close: accueil, social
  kOrientationsRead,      // lists, inbox, details, notifications: accueil, social, partenaire
  kOrientationsAnswer,    // accept, refuse, re-orient, appointment, outcome: + partenaire
  kOrientationsMeasures,  // counts by partner, service, site: all professionals but admin
};

inline constexpr Action kAllActions[] = {Action::kPublic,
                                         Action::kSignIn,
                                         Action::kSecondFactor,
                                         Action::kOwnAccount,
                                         Action::kDashboard,
                                         Action::kOrganisationsRead,
                                         Action::kOrganisationsWrite,
                                         Action::kUsersRead,
                                         Action::kUsersWrite,
                                         Action::kAuditRead,
                                         Action::kDirectoryWrite,
                                         Action::kReceptionDesk,
                                         Action::kPassagesRead,
                                         Action::kPersonsRead,
                                         Action::kPersonsWrite,
                                         Action::kPersonsExport,
                                         Action::kPersonsAdmin,
                                         Action::kOrientationsWrite,
                                         Action::kOrientationsRead,
                                         Action::kOrientationsAnswer,
                                         Action::kOrientationsMeasures};

std::string_view ActionName(Action action);  // "users.write"
std::optional<Action> ParseAction(std::string_view name);

// Who is asking. An anonymous visitor has user_id 0 and no memberships.
struct Principal {
  UserId user_id = 0;
  std::vector<Membership> memberships;
  bool second_factor_verified = false;  // this session passed TOTP (or the role needs none)
  bool has_second_factor = false;       // the account has TOTP enrolled

  bool authenticated() const { return user_id != 0; }
  bool HasRole(Role role) const;
  // A second factor is required (by a role, or because the account enrolled one) and this
  // session has not passed it.
  bool SecondFactorPending() const;
  std::vector<OrganisationId> OrganisationsWithRole(Role role) const;
};

// The resource an action applies to, when the answer depends on it.
struct ResourceScope {
  std::optional<OrganisationId> organisation_id;
};

enum class Decision {
  kAllow,
  kUnauthenticated,      // sign in first (401 / redirect to the sign-in page)
  kSecondFactorMissing,  // signed in, but the second factor is required first (403)
  kDeny,                 // signed in and not allowed (403, or 404 when existence is secret)
};

Decision Authorize(const Principal& principal, Action action, const ResourceScope& scope = {});

}  // namespace pasip::identity
