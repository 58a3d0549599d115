#include "domain/identity/policy.h"

#include <algorithm>

namespace pasip::identity {
namespace {

struct ActionInfo {
  Action action;
  std::string_view name;
};

constexpr ActionInfo kActionNames[] = {
    {Action::kPublic, "public"},
    {Action::kSignIn, "session.sign_in"},
    {Action::kSecondFactor, "session.second_factor"},
    {Action::kOwnAccount, "account.own"},
    {Action::kDashboard, "dashboard"},
    {Action::kOrganisationsRead, "organisations.read"},
    {Action::kOrganisationsWrite, "organisations.write"},
    {Action::kUsersRead, "users.read"},
    {Action::kUsersWrite, "users.write"},
    {Action::kAuditRead, "audit.read"},
    {Action::kDirectoryWrite, "directory.write"},
    {Action::kReceptionDesk, "reception.desk"},
    {Action::kPassagesRead, "passages.read"},
    {Action::kPersonsRead, "persons.read"},
    {Action::kPersonsWrite, "persons.write"},
    {Action::kPersonsExport, "persons.export"},
    {Action::kPersonsAdmin, "persons.admin"},
    {Action::kOrientationsWrite, "orientations.write"},
    {Action::kOrientationsRead, "orientations.read"},
    {Action::kOrientationsAnswer, "orientations.answer"},
    {Action::kOrientationsMeasures, "orientations.measures"},
};

// Which roles may perform an action that needs a signed-in professional. Organisation
// scoping is applied on top for the actions that take a ResourceScope.
bool RoleAllows(Role role, Action action) {
  switch (action) {
    case Action::kPublic:
    case Action::kSignIn:
    case Action::kSecondFactor:
    case Action::kOwnAccount:
    case Action::kDashboard:
      return true;
    case Action::kOrganisationsRead:
      // The coordination manages the network; administrators manage accounts.
      return role == Role::kAdmin || role == Role::kCoordination;
    case Action::kDirectoryWrite:
      return role == Role::kAdmin || role == Role::kCoordination || role == Role::kPartenaire;
    case Action::kReceptionDesk:
    case Action::kPersonsRead:
    case Action::kPersonsWrite:
      return role == Role::kAccueil || role == Role::kSocial;
    case Action::kOrientationsWrite:
      return role == Role::kAccueil || role == Role::kSocial;
    case Action::kOrientationsRead:
    case Action::kOrientationsAnswer:
      return role == Role::kAccueil || role == Role::kSocial || role == Role::kPartenaire;
    case Action::kOrientationsMeasures:
      return role != Role::kAdmin;
    case Action::kPassagesRead:
      return role == Role::kAccueil || role == Role::kSocial || role == Role::kCoordination;
    case Action::kPersonsExport:
      return role == Role::kAccueil || role == Role::kSocial || role == Role::kAdmin;
    case Action::kPersonsAdmin:
    case Action::kOrganisationsWrite:
    case Action::kUsersRead:
    case Action::kUsersWrite:
    case Action::kAuditRead:
      return role == Role::kAdmin;
  }
  return false;
}

}  // namespace

std::string_view ActionName(Action action) {
  for (const ActionInfo& info : kActionNames) {
    if (info.action == action) return info.name;
  }
  return "";
}

std::optional<Action> ParseAction(std::string_view name) {
  for (const ActionInfo& info : kActionNames) {
    if (info.name == name) return info.action;
  }
  return std::nullopt;
}

bool Principal::HasRole(Role role) const {
  return std::any_of(memberships.begin(), memberships.end(),
                     [&](const Membership& m) { return m.role == role; });
}

bool Principal::SecondFactorPending() const {
  const bool required =
      std::any_of(memberships.begin(), memberships.end(),
                  [](const Membership& m) { return RoleRequiresSecondFactor(m.role); });
  // An account that enrolled a second factor of its own accord must pass it too.
  return (required || has_second_factor) && !second_factor_verified;
}

std::vector<OrganisationId> Principal::OrganisationsWithRole(Role role) const {
  std::vector<OrganisationId> out;
  for (const Membership& m : memberships) {
    if (m.role == role) out.push_back(m.organisation_id);
  }
  return out;
}

Decision Authorize(const Principal& principal, Action action, const ResourceScope& scope) {
  if (action == Action::kPublic || action == Action::kSignIn) return Decision::kAllow;
  if (!principal.authenticated()) return Decision::kUnauthenticated;
  if (action == Action::kSecondFactor) return Decision::kAllow;
  if (principal.SecondFactorPending()) return Decision::kSecondFactorMissing;
  if (action == Action::kOwnAccount || action == Action::kDashboard) return Decision::kAllow;

  for (const Membership& m : principal.memberships) {
    if (!RoleAllows(m.role, action)) continue;
    // Administrators and coordinators act on the whole territory; other roles only within
    // the organisation of the membership that grants the action.
    const bool territory_wide = m.role == Role::kAdmin || m.role == Role::kCoordination;
    if (!scope.organisation_id || territory_wide || *scope.organisation_id == m.organisation_id) {
      return Decision::kAllow;
    }
  }
  return Decision::kDeny;
}

}  // namespace pasip::identity
