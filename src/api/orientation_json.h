// The orientation module's JSON, in both directions: orientations (list items and the
// detail with its history), the liaison form, the measures, in-app notifications; the
// draft an agent writes and the parameters of a step. Members are French, as everywhere in
// the API: `statut`, `service {id, nom}`, `motifs`, `champs_partages`, `rendez_vous`…
//
// Readers never throw: a member of the wrong type or shape is kInvalidArgument naming it
// ("motifs[1]", "date") in French; unknown members are ignored. They only read: the domain
// (OrientationService) validates values (known motives, choices, lengths) after. For a
// draft update, members absent from the body keep `base`'s values and null clears them.
#pragma once

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "domain/orientation/orientation.h"

namespace pasip::api {

// Writers. Instants are ISO 8601 UTC; empty texts and unset instants or ids are null.
// An orientation: `detail` adds `historique` (list items have none); `partage` is present
// only when the caller may see the shared person data (View::shows_shared).
nlohmann::json ToJson(const orientation::View& v, bool detail);
// {le, acteur, etape, de, vers, detail}
nlohmann::json ToJson(const orientation::Event& e);
// {id, orientation, le, message, lue, lue_le}
nlohmann::json ToJson(const orientation::Notification& n);
// {orientation (detail), site_adresse, agent_courriel, service_telephone, service_courriel,
// service_adresse}
nlohmann::json ToJson(const orientation::LiaisonForm& f);
// {par, du, au, lignes: [{cle, libelle, envoyees…}], total}: a masked cell is null, never
// its value (security.md S6).
nlohmann::json ToJson(const orientation::Measures& m);

// What an agent writes of an orientation: site, passage, personne, service, referent,
// motifs, demande, urgence, mode, accompagnement, echeance, champs_partages, consentement,
// envoyer.
Result<orientation::Draft> DraftFromJson(const nlohmann::json& j, orientation::Draft base = {});
// The draft an orientation was made from (to apply a partial update on).
orientation::Draft DraftOf(const orientation::Orientation& o);
// The members every step reads: motif, commentaire, version; reorienter's service and
// referent; rendez-vous's date and lieu.
Result<orientation::StepInput> StepInputFromJson(const nlohmann::json& j);

}  // namespace pasip::api
