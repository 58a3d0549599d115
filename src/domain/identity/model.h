// Identity: organisations (institutions), their sites (lieux d'accueil), users and their
// memberships, which carry the role a user holds in an organisation.
//
// A user may belong to several organisations (a social worker of the Département who also
// holds a permanence at a CCAS) with one role in each. Plain values, no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/clock.h"

namespace pasip::identity {

using OrganisationId = std::int64_t;
using SiteId = std::int64_t;
using UserId = std::int64_t;

enum class Role { kAccueil, kSocial, kPartenaire, kCoordination, kAdmin };
inline constexpr Role kAllRoles[] = {Role::kAccueil, Role::kSocial, Role::kPartenaire,
                                     Role::kCoordination, Role::kAdmin};
std::string_view RoleName(Role role);   // "accueil"
std::string_view RoleLabel(Role role);  // "Agent d'accueil"
std::optional<Role> ParseRole(std::string_view name);
// Admin and social (who read confidential notes) must use a second factor (security S9).
bool RoleRequiresSecondFactor(Role role);

// A value of a référentiel and its French label.
struct NamedValue {
  std::string_view value;
  std::string_view label;
};
// The réseaux porteurs of data·inclusion v1 (108), in the schema's order: the organisation
// kinds without pasip's "associations" and "autre".
std::span<const NamedValue> ReseauxPorteurs();

// Organisation kinds: data·inclusion's réseaux porteurs ("ccas-cias", "caf"…).
bool IsOrganisationKind(std::string_view value);
std::string_view OrganisationKindLabel(std::string_view value);
std::vector<std::pair<std::string_view, std::string_view>> OrganisationKinds();

struct Organisation {
  OrganisationId id = 0;
  std::string name;
  std::string kind;   // a réseau porteur value
  std::string siret;  // 14 digits, or empty
  bool active = true;
  TimePoint created_at{};
};

// A lieu d'accueil. In the directory (next module) a site is also a structure.
struct Site {
  SiteId id = 0;
  OrganisationId organisation_id = 0;
  std::string name;
  std::string address;
  std::string commune_code;  // INSEE code, 5 characters (2A/2B for Corsica)
  std::optional<double> latitude;
  std::optional<double> longitude;
  bool active = true;
};

struct Membership {
  OrganisationId organisation_id = 0;
  Role role = Role::kAccueil;
  std::vector<SiteId> site_ids;  // empty = every site of the organisation
};

struct User {
  UserId id = 0;
  std::string email;  // normalised (lower case)
  std::string display_name;
  std::string password_hash;  // Argon2id encoded string
  std::string totp_secret;    // base32; empty until enrolment is confirmed
  bool disabled = false;
  TimePoint created_at{};
  std::vector<Membership> memberships;

  bool RequiresSecondFactor() const;
  bool HasRole(Role role) const;
  bool HasTotp() const { return !totp_secret.empty(); }
};

}  // namespace pasip::identity
