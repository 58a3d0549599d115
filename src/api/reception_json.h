// The reception module's JSON, in both directions: passages, person files, notes, consents,
// tickets and the right-of-access export. Members are French, as everywhere in the API:
// a passage's `site`, `canal`, `motifs`, `personne`, `debut`…; a person's `nom_affiche`,
// `date_naissance`, `commune`, `foyer`…
//
// Readers never throw: a member of the wrong type or shape is kInvalidArgument naming it
// ("foyer[1].relation", "agents[0]") in French; unknown members are ignored. They only read:
// the domain (ReceptionService) validates values (known motives, lengths, dates) after.
// For an update, members absent from the body keep `base`'s values and null clears them.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "core/result.h"
#include "domain/reception/model.h"

namespace pasip::api {

// Writers. Instants are ISO 8601 UTC ("2026-03-04T09:00:00Z"); empty texts and unset
// instants or ids are null.
nlohmann::json ToJson(const reception::Passage& p);
nlohmann::json ToJson(const reception::Person& p);
nlohmann::json ToJson(const reception::Note& n);
nlohmann::json ToJson(const reception::Consent& c);
nlohmann::json ToJson(const reception::Follow& f);
nlohmann::json ToJson(const reception::Ticket& t);
// Everything held about a person: {format, personne, suivis, passages, notes, consentements,
// tickets, dossiers_fusionnes, acces}.
nlohmann::json ToJson(const reception::PersonExport& e);

// What a client may write of a passage: site, canal, motifs, actes, urgence, resultat, langue,
// interpretariat, note, personne, debut, fin, agents, profil {tranche_age, sexe, foyer,
// commune}. id, organisation, nombre, lot and the creation members are not read.
Result<reception::Passage> PassageFromJson(const nlohmann::json& j, reception::Passage base = {});
// A person file's identity members (not id, dates, dernier_contact or fusionnee_dans).
Result<reception::Person> PersonFromJson(const nlohmann::json& j, reception::Person base = {});
// visibilite, texte.
Result<reception::Note> NoteFromJson(const nlohmann::json& j);
// objet, destinataires, portee, opposition, date (optional: the service dates it now).
Result<reception::Consent> ConsentFromJson(const nlohmann::json& j);

// Typed readers of one member of a body object, for the routes' own members ("organisation",
// "absorbee", "a"…). Absent or null → nullopt; a wrong type → kInvalidArgument naming it.
Result<std::optional<std::int64_t>> OptId(const nlohmann::json& body, const char* field);
Result<std::optional<std::int64_t>> OptInteger(const nlohmann::json& body, const char* field);
Result<std::optional<std::string>> OptText(const nlohmann::json& body, const char* field);

}  // namespace pasip::api
