// The directory of the offer (annuaire): structures (lieux, organisations that receive the
// public) and the services they deliver, on the data·inclusion v1 exchange schema
// (GIP Plateforme de l'inclusion, Licence Ouverte 2.0) plus what the premier accueil needs:
// the PASIP label checklist, languages, itinerant stops, partner permanences held in another
// structure, referents (professionals only), temporary closures and notices, and a
// freshness/quality score.
//
// Plain values and pure functions, no I/O. Every référentiel value is data·inclusion's
// slug ("acces-aux-droits-et-citoyennete--accompagnement-juridique"); labels are French.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "domain/identity/model.h"

namespace pasip::directory {

using StructureId = std::int64_t;
using ServiceId = std::int64_t;

// ---------------------------------------------------------------------------------------
// Référentiels of data·inclusion v1 (values and French labels, in the schema's order).

enum class Referentiel {
  kThematique,             // 69 values "categorie--sous-thematique"
  kCategorie,              // 16 catégories de thématiques
  kTypeService,            // types de services
  kFrais,                  // gratuit, payant
  kPublic,                 // publics
  kModeAccueil,            // en-presentiel, a-distance
  kModeMobilisation,       // envoyer-un-courriel, se-presenter, telephoner, utiliser-le-lien…
  kPersonneMobilisatrice,  // professionnels, usagers
  kReseauPorteur,          // réseaux porteurs (108)
};

using RefValue = identity::NamedValue;

std::string_view ReferentielName(Referentiel r);  // "thematiques", "publics"… (field names)
std::span<const RefValue> Values(Referentiel r);
bool IsValid(Referentiel r, std::string_view value);
// The French label of `value`, or `value` itself when unknown.
std::string_view Label(Referentiel r, std::string_view value);
// The catégorie of a thématique: the part before "--" ("famille" for "famille--garde-denfants").
std::string_view CategoryOf(std::string_view thematique);

// ISO 639-1 language codes accepted for the languages spoken ("fr", "en", "ar"…), with
// their French names; "lsf" is not a language code here: sign language is its own flag.
bool IsLanguageCode(std::string_view code);
std::string_view LanguageLabel(std::string_view code);  // "anglais"; the code when unknown
std::span<const RefValue> Languages();

// ---------------------------------------------------------------------------------------
// pasip extensions.

// The guide's criteria for a PASIP reception point, as a checklist. A structure is
// "labellisée PASIP" in searches when every criterion is met (Complete()).
struct PasipLabel {
  bool sans_condition = false;        // receives anyone, without condition
  bool ecoute_globale = false;        // global listening of the person's situation
  bool information_droits = false;    // information on rights
  bool orientation = false;           // reliable orientation to the right partner
  bool accueil_physique = false;      // channel: physical
  bool accueil_telephonique = false;  // channel: phone
  bool accueil_numerique = false;     // channel: digital (e-mail, form, visio)
  bool sans_rendez_vous = false;      // walk-in times
  bool sur_rendez_vous = false;       // appointment times
  bool horaires_adaptes = false;      // hours compatible with work (early, late or Saturday)
  bool accessible_pmr = false;        // access for people with reduced mobility
  bool espace_confidentiel = false;   // confidential space

  bool Complete() const;
  int Count() const;  // criteria met, 0 to 12
  bool operator==(const PasipLabel&) const = default;
};
// The criteria in display order: field name (as in the JSON and forms) and French label.
std::span<const RefValue> PasipCriteria();
// Reads/writes one criterion by its field name; false when the name is unknown.
bool SetCriterion(PasipLabel& label, std::string_view name, bool value);
std::optional<bool> GetCriterion(const PasipLabel& label, std::string_view name);

// An itinerant stop of a mobile point (bus France services, permanence itinérante).
struct ItinerantStop {
  std::string lieu;        // "Place de la mairie"
  std::string code_insee;  // commune of the stop
  std::optional<double> latitude;
  std::optional<double> longitude;
  std::string horaires;  // opening_hours syntax: "We[1,3] 09:00-12:00"
  bool operator==(const ItinerantStop&) const = default;
};

// A partner permanence held in another structure (a Caf permanence at a CCAS): the service
// is delivered at the host structure's address, at these hours.
struct Permanence {
  StructureId host_structure_id = 0;
  std::string horaires;  // opening_hours syntax
  std::string precisions;
  bool operator==(const Permanence&) const = default;
};

// An interlocuteur privilégié: shown to professionals only, never in the public view or
// the data·inclusion export.
struct Referent {
  std::string nom;
  std::string fonction;
  std::string telephone;
  std::string courriel;
  bool operator==(const Referent&) const = default;
};

// A temporary closure or a notice, shown from `debut` to `fin` inclusive (dates, Paris).
struct Notice {
  std::string debut;  // "2026-12-24"
  std::string fin;    // "2027-01-02"
  std::string message;
  bool fermeture = false;  // closed for the period (searches "open at" answer closed)
  bool operator==(const Notice&) const = default;
};

struct Accessibility {
  std::vector<std::string> langues;  // ISO 639-1
  bool langue_des_signes = false;
  bool interpretariat = false;
  std::optional<bool> pmr;  // unknown, yes, no
  bool operator==(const Accessibility&) const = default;
};

// ---------------------------------------------------------------------------------------
// Structures and services.

// Fields named as data·inclusion names them (they are its exchange format), plus pasip's.
struct Structure {
  StructureId id = 0;  // pasip's
  // data·inclusion
  std::string source;     // producer: "pasip" for records created here, "france-services"…
  std::string source_id;  // the producer's id; "id" in data·inclusion is "<source>--<id>"
  std::string nom;
  std::string date_maj;  // "2026-11-22"
  std::optional<std::string> siret, description, adresse, complement_adresse, code_postal,
      code_insee, commune, telephone, courriel, site_web, lien_source, horaires_accueil,
      accessibilite_lieu;
  std::optional<double> latitude, longitude;
  std::vector<std::string> reseaux_porteurs;
  // pasip
  std::optional<std::int64_t> organisation_id;  // identity organisation that runs it
  std::optional<std::int64_t> site_id;          // the foundation's site this structure is
  PasipLabel label;
  Accessibility accessibilite;
  std::vector<ItinerantStop> arrets;
  std::vector<Referent> referents;
  std::vector<Notice> avis;
  bool publie = true;  // shown to the public (false: professionals only)
  TimePoint updated_at{};

  bool operator==(const Structure&) const = default;
};

struct Service {
  ServiceId id = 0;
  StructureId structure_id = 0;  // pasip's structure id
  // data·inclusion
  std::string source;
  std::string source_id;
  std::string nom;
  std::string description;
  std::string date_maj;
  std::optional<std::string> type, frais, frais_precisions, publics_precisions, conditions_acces,
      adresse, complement_adresse, code_postal, code_insee, commune, telephone, courriel,
      contact_nom_prenom, lien_mobilisation, lien_source, mobilisation_precisions, horaires_accueil;
  std::optional<double> latitude, longitude;
  std::optional<std::int64_t> nombre_semaines;
  std::optional<double> volume_horaire_hebdomadaire;
  std::vector<std::string> thematiques, publics, modes_accueil, modes_mobilisation, mobilisable_par;
  // COG codes of communes (5), départements (2-3), EPCI (9) or "france".
  std::vector<std::string> zone_eligibilite;
  // pasip
  bool contacts_publics = true;  // false: telephone/courriel/contact hidden from the public
  std::vector<Permanence> permanences;
  bool publie = true;
  TimePoint updated_at{};

  bool operator==(const Service&) const = default;
};

// "<source>--<source_id>", the data·inclusion id.
std::string DataInclusionId(std::string_view source, std::string_view source_id);

// Checks every field against the schema and the référentiels: required fields, lengths
// (nom 3–150 without a final dot, description 5–10000), formats (code_insee, code_postal,
// siret with Luhn, courriel, URLs http(s), date_maj as YYYY-MM-DD), coordinates in range and
// together, référentiel values, opening-hours strings parseable, languages, stops, notices
// (dates, debut ≤ fin), referents (a name and a phone or e-mail). Fails with
// kInvalidArgument, the message in French and `field` naming the field ("nom",
// "thematiques[2]", "arrets[0].horaires").
Status ValidateStructure(const Structure& s);
Status ValidateService(const Service& s);

// Freshness and quality, after data·inclusion's scoring idea: 0.0 (poor, stale) to 1.0.
// Points for contacts present (telephone or courriel), description, thématiques, publics,
// modes d'accueil, opening hours, coordinates; weighted by recency of date_maj (full under
// 6 months, decreasing to a quarter at 2 years and beyond).
//
// Completeness weights (each sums to 1):
//   service:   contact 0.25, description 0.10, thématiques 0.20, publics 0.10,
//              modes d'accueil 0.10, horaires (its own or a permanence's) 0.15,
//              located (coordinates, code_insee or a permanence) 0.10;
//   structure: contact 0.25, description 0.10, horaires (its own or a service's) 0.15,
//              located (coordinates or code_insee) 0.15, and from its services:
//              thématiques 0.15, publics 0.10, modes d'accueil 0.10.
// Recency multiplies: 1 up to 182 days, then linearly down to 0.25 at 730 days and after;
// a missing or invalid date counts as 0.25. A structure's date is the latest of its own and
// its services' (editing a service is a review). `manques` lists what cost points, in
// French, plus "pas de mise à jour depuis plus de 6 mois".
struct Freshness {
  double score = 0;
  std::int64_t age_days = 0;         // since date_maj
  std::vector<std::string> manques;  // French, what is missing ("aucun contact")
};
Freshness ScoreService(const Service& s, std::string_view today);
Freshness ScoreStructure(const Structure& s, std::span<const Service> services,
                         std::string_view today);

}  // namespace pasip::directory
