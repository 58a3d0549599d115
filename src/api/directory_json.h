// The directory's JSON: data·inclusion v1 records (the exchange format, exactly the official
// schema's members, for exports and imports) and pasip's full records (data·inclusion's
// members plus the extensions, for the API), in both directions.
//
// Readers never throw: a member of the wrong type or shape is kInvalidArgument naming it
// ("thematiques[1]") in French; unknown members are ignored. They only read: domain
// validation (directory::ValidateStructure/ValidateService) comes after.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

#include "core/result.h"
#include "domain/directory/directory.h"
#include "domain/directory/model.h"

namespace pasip::api {

// data·inclusion v1: `id` is DataInclusionId(source, source_id); a service's `structure_id`
// is the data·inclusion id of its structure (passed in, since the service holds pasip's id).
// Referents, notices, label and other extensions are not part of it; service contacts are
// written only when contacts_publics; unpublished records are the caller's to skip.
nlohmann::json ToDataInclusion(const directory::Structure& s);
nlohmann::json ToDataInclusion(const directory::Service& s, std::string_view structure_di_id);
// Reads a data·inclusion record. `id` "<source>--<rest>" gives source_id = rest when its
// prefix is the record's source, else the whole id; a service's structure reference (the
// data·inclusion structure_id, same rule) is written to `structure_source_id`.
Result<directory::Structure> StructureFromDataInclusion(const nlohmann::json& j);
Result<directory::Service> ServiceFromDataInclusion(const nlohmann::json& j,
                                                    std::string& structure_source_id);

// pasip's records: data·inclusion's members plus `pasip_id`, `structure` (pasip id), and the
// extensions (label_pasip {criteria…, complet}, accessibilite, arrets, permanences,
// referents, avis, publie, contacts_publics, organisation_id, site_id). The public view
// leaves out referents, and a service's telephone/courriel/contact_nom_prenom unless
// contacts_publics.
nlohmann::json ToJson(const directory::Structure& s, directory::View view);
nlohmann::json ToJson(const directory::Service& s, directory::View view);
// Reads what a client may write (the members above except pasip_id, date_maj, source and
// updated_at): for an update, members absent from `j` keep `base`'s values.
Result<directory::Structure> StructureFromJson(const nlohmann::json& j,
                                               directory::Structure base = {});
Result<directory::Service> ServiceFromJson(const nlohmann::json& j, directory::Service base = {});

}  // namespace pasip::api
