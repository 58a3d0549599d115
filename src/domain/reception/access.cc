// Need-to-know levels on person files (security.md S1).
#include "domain/reception/access.h"

#include <algorithm>

namespace pasip::reception {
namespace {

using identity::Role;

// What one membership gives on a person its organisation follows. Only the people who
// receive the public work on person files; partenaire, coordination and admin see nothing.
Level LevelOf(Role role) {
  switch (role) {
    case Role::kAccueil:
      return Level::kIdentity;
    case Role::kSocial:
      return Level::kConfidential;
    case Role::kPartenaire:
    case Role::kCoordination:
    case Role::kAdmin:
      return Level::kNone;
  }
  return Level::kNone;
}

bool Follows(std::span<const Follow> follows, OrganisationId organisation_id) {
  return std::any_of(follows.begin(), follows.end(),
                     [&](const Follow& f) { return f.organisation_id == organisation_id; });
}

}  // namespace

Level AccessLevel(const identity::Principal& who, std::span<const Follow> follows) {
  if (!who.authenticated()) return Level::kNone;
  Level level = Level::kNone;
  for (const identity::Membership& m : who.memberships) {
    if (!Follows(follows, m.organisation_id)) continue;
    level = std::max(level, LevelOf(m.role));
  }
  return level;
}

OrganisationId ActingOrganisation(const identity::Principal& who, std::span<const Follow> follows) {
  // The organisation that gives the level AccessLevel() answers: a principal who is social
  // in one following organisation and accueil in another acts (and writes confidential
  // notes) for the first. Among equals, the first following organisation.
  const Level wanted = AccessLevel(who, follows);
  if (wanted == Level::kNone) return 0;
  for (const Follow& f : follows) {
    for (const identity::Membership& m : who.memberships) {
      if (m.organisation_id == f.organisation_id && LevelOf(m.role) == wanted) {
        return f.organisation_id;
      }
    }
  }
  return 0;
}

bool CanReadNote(const identity::Principal& who, Level level, const Note& note) {
  if (level == Level::kNone) return false;
  if (note.visibilite == "generale") return true;
  if (note.visibilite == "confidentielle") return level == Level::kConfidential;
  if (note.visibilite == "privee") return who.authenticated() && note.author_id == who.user_id;
  return false;  // an unknown visibility is shown to nobody
}

bool CanWriteNote(Level level, std::string_view visibilite) {
  if (visibilite == "generale" || visibilite == "privee") return level != Level::kNone;
  if (visibilite == "confidentielle") return level == Level::kConfidential;
  return false;
}

std::vector<OrganisationId> PersonOrganisations(const identity::Principal& who) {
  std::vector<OrganisationId> out;
  if (!who.authenticated()) return out;
  for (const identity::Membership& m : who.memberships) {
    if (LevelOf(m.role) == Level::kNone) continue;
    if (std::find(out.begin(), out.end(), m.organisation_id) == out.end()) {
      out.push_back(m.organisation_id);
    }
  }
  return out;
}

}  // namespace pasip::reception
