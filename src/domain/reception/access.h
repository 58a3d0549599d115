// Need-to-know (security.md S1) for person-level data: what a principal may see of a
// person followed by some organisations. Pure, thread-safe; the table is checked against
// tests/data/reception_access_matrix.tsv.
//
// - accueil of a following organisation: identity, contacts, passages, general notes;
// - social of a following organisation: the same plus confidential notes;
// - private notes: their author only (who must still be of a following organisation);
// - coordination: no named data; partenaire: nothing until an orientation (next module);
// - admin: no reading of files (purge and right-of-access export go through their own
//   use cases);
// - any role of an organisation that does not follow the person: nothing (404).
#pragma once

#include <span>
#include <string_view>

#include "domain/identity/policy.h"
#include "domain/reception/model.h"

namespace pasip::reception {

enum class Level {
  kNone,          // the file does not exist for this principal (404)
  kIdentity,      // identity, contacts, passages, consents, general notes (accueil)
  kConfidential,  // the same plus confidential notes (social)
};

// The highest level the principal's memberships in following organisations give.
Level AccessLevel(const identity::Principal& who, std::span<const Follow> follows);
// The organisation the principal acts for on this person: the first following organisation
// where they hold accueil or social (0 when none).
OrganisationId ActingOrganisation(const identity::Principal& who, std::span<const Follow> follows);
// May the principal read this note (level, visibility, authorship)?
bool CanReadNote(const identity::Principal& who, Level level, const Note& note);
// May the principal write a note of this visibility (confidential: social only)?
bool CanWriteNote(Level level, std::string_view visibilite);

// The organisations (with their role) where the principal may work on persons: accueil or
// social memberships.
std::vector<OrganisationId> PersonOrganisations(const identity::Principal& who);

}  // namespace pasip::reception
