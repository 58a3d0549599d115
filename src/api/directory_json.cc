#include "api/directory_json.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "api/json_members.h"
#include "core/clock.h"
#include "core/text.h"

namespace pasip::api {
namespace {

using nlohmann::json;
namespace dir = directory;

// ---------------------------------------------------------------------------------------
// Writing.

json Text(const std::optional<std::string>& value) {
  return value && !value->empty() ? json(*value) : json(nullptr);
}

json Number(const std::optional<double>& value) {
  return value && std::isfinite(*value) ? json(*value) : json(nullptr);
}

// The values once each, in order (the schema's arrays are uniqueItems).
json Strings(const std::vector<std::string>& values) {
  json out = json::array();
  std::unordered_set<std::string_view> seen;
  for (const auto& v : values) {
    if (!v.empty() && seen.insert(v).second) out.push_back(v);
  }
  return out;
}

// data·inclusion writes an empty list as null.
json ListOrNull(const std::vector<std::string>& values) {
  json out = Strings(values);
  return out.empty() ? json(nullptr) : out;
}

json OptInt(const std::optional<std::int64_t>& value) {
  return value ? json(*value) : json(nullptr);
}

json LabelJson(const dir::PasipLabel& label) {
  json out = json::object();
  for (const auto& criterion : dir::PasipCriteria()) {
    out[std::string(criterion.value)] = dir::GetCriterion(label, criterion.value).value_or(false);
  }
  out["complet"] = label.Complete();
  return out;
}

json AccessibilityJson(const dir::Accessibility& a) {
  return {{"langues", Strings(a.langues)},
          {"langue_des_signes", a.langue_des_signes},
          {"interpretariat", a.interpretariat},
          {"pmr", a.pmr ? json(*a.pmr) : json(nullptr)}};
}

json StopsJson(const std::vector<dir::ItinerantStop>& stops) {
  json out = json::array();
  for (const auto& s : stops) {
    out.push_back({{"lieu", s.lieu},
                   {"code_insee", s.code_insee.empty() ? json(nullptr) : json(s.code_insee)},
                   {"latitude", Number(s.latitude)},
                   {"longitude", Number(s.longitude)},
                   {"horaires", s.horaires}});
  }
  return out;
}

json ReferentsJson(const std::vector<dir::Referent>& referents) {
  json out = json::array();
  for (const auto& r : referents) {
    out.push_back({{"nom", r.nom},
                   {"fonction", r.fonction},
                   {"telephone", r.telephone},
                   {"courriel", r.courriel}});
  }
  return out;
}

json NoticesJson(const std::vector<dir::Notice>& notices) {
  json out = json::array();
  for (const auto& n : notices) {
    out.push_back(
        {{"debut", n.debut}, {"fin", n.fin}, {"message", n.message}, {"fermeture", n.fermeture}});
  }
  return out;
}

json PermanencesJson(const std::vector<dir::Permanence>& permanences) {
  json out = json::array();
  for (const auto& p : permanences) {
    out.push_back({{"structure_hote", p.host_structure_id},
                   {"horaires", p.horaires},
                   {"precisions", p.precisions}});
  }
  return out;
}

std::string UpdatedAt(TimePoint at) { return at == TimePoint{} ? std::string() : FormatIsoUtc(at); }

// ---------------------------------------------------------------------------------------
// Reading. Every reader looks at one member of one object; `prefix` places the object in
// the document ("arrets[0].") for the field named in errors.

class Members : public JsonMembers {
 public:
  using JsonMembers::JsonMembers;

  // Optional text: absent leaves `out`; null or blank is nullopt; trimmed.
  Status OptText(std::string_view name, std::optional<std::string>& out) const {
    const json* v = Find(name);
    if (!v) return Ok();
    std::string value;
    PASIP_TRY(Text(name, value));
    out = value.empty() ? std::nullopt : std::optional<std::string>(std::move(value));
    return Ok();
  }

  // A text that must be present and not blank.
  Status Required(std::string_view name, std::string& out) const {
    out.clear();
    PASIP_TRY(Text(name, out));
    if (out.empty()) {
      const std::string field = Field(name);
      return Fail(InvalidArgument("Le champ « " + field + " » est obligatoire.", field));
    }
    return Ok();
  }

  Status OptNumber(std::string_view name, std::optional<double>& out) const {
    const json* v = Find(name);
    if (!v) return Ok();
    if (v->is_null()) {
      out.reset();
      return Ok();
    }
    if (!v->is_number()) return Fail(Expected(name, "un nombre"));
    const double d = v->get<double>();
    if (!std::isfinite(d)) return Fail(Expected(name, "un nombre"));
    out = d;
    return Ok();
  }

  Status OptInteger(std::string_view name, std::optional<std::int64_t>& out) const {
    const json* v = Find(name);
    if (!v) return Ok();
    if (v->is_null()) {
      out.reset();
      return Ok();
    }
    PASIP_ASSIGN_OR_RETURN(value, IntegerValue(*v, name));
    out = value;
    return Ok();
  }

  Status Bool(std::string_view name, bool& out) const {
    const json* v = Find(name);
    if (!v || v->is_null()) return Ok();
    if (!v->is_boolean()) return Fail(Expected(name, "vrai ou faux (true ou false)"));
    out = v->get<bool>();
    return Ok();
  }

  Status OptBool(std::string_view name, std::optional<bool>& out) const {
    const json* v = Find(name);
    if (!v) return Ok();
    if (v->is_null()) {
      out.reset();
      return Ok();
    }
    if (!v->is_boolean()) return Fail(Expected(name, "vrai ou faux (true ou false), ou null"));
    out = v->get<bool>();
    return Ok();
  }

  // The list of objects of member `name` (absent: nullopt; null: empty).
  Result<std::optional<std::vector<Members>>> Objects(std::string_view name) const {
    const json* v = Find(name);
    if (!v) return std::optional<std::vector<Members>>();
    std::vector<Members> out;
    if (v->is_null()) return std::optional<std::vector<Members>>(std::move(out));
    if (!v->is_array()) return Fail(Expected(name, "une liste"));
    for (std::size_t i = 0; i < v->size(); ++i) {
      const std::string item_name = std::string(name) + "[" + std::to_string(i) + "]";
      if (!(*v)[i].is_object()) return Fail(Expected(item_name, "un objet"));
      out.emplace_back((*v)[i], Field(item_name) + ".");
    }
    return std::optional<std::vector<Members>>(std::move(out));
  }

  // The object of member `name` (absent or null: nullopt).
  Result<std::optional<Members>> Object(std::string_view name) const {
    const json* v = Find(name);
    if (!v || v->is_null()) return std::optional<Members>();
    if (!v->is_object()) return Fail(Expected(name, "un objet"));
    return std::optional<Members>(Members(*v, Field(name) + "."));
  }
};

bool IsDigits(std::string_view s) {
  for (const char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// "2025-02-14T09:30:00+01:00" → "2025-02-14": data·inclusion producers often write the
// instant of the change; the schema wants its date.
std::string DateOnly(std::string value) {
  if (value.size() > 10 && (value[10] == 'T' || value[10] == 't' || value[10] == ' ') &&
      IsDigits(value.substr(0, 4)) && value[4] == '-' && IsDigits(value.substr(5, 2)) &&
      value[7] == '-' && IsDigits(value.substr(8, 2))) {
    value.resize(10);
  }
  return value;
}

Status ReadDate(const Members& m, std::string& out) {
  PASIP_TRY(m.Text("date_maj", out));
  out = DateOnly(std::move(out));
  return Ok();
}

// The producer's id inside a data·inclusion id: "dora--42" of source "dora" is "42".
std::string SourceIdOf(const std::string& di_id, const std::string& source) {
  const std::string prefix = source + "--";
  if (!source.empty() && di_id.size() > prefix.size() && di_id.starts_with(prefix)) {
    return di_id.substr(prefix.size());
  }
  return di_id;
}

Result<json::const_pointer> ObjectOf(const json& j) {
  if (!j.is_object()) {
    return Fail(InvalidArgument("Un objet JSON est attendu pour chaque enregistrement.", ""));
  }
  return &j;
}

// Members written alike by the data·inclusion and the pasip readers.
Status ReadStructureCommon(const Members& m, dir::Structure& s) {
  PASIP_TRY(m.Text("nom", s.nom));
  PASIP_TRY(m.OptText("siret", s.siret));
  PASIP_TRY(m.OptText("description", s.description));
  PASIP_TRY(m.OptText("adresse", s.adresse));
  PASIP_TRY(m.OptText("complement_adresse", s.complement_adresse));
  PASIP_TRY(m.OptText("code_postal", s.code_postal));
  PASIP_TRY(m.OptText("code_insee", s.code_insee));
  PASIP_TRY(m.OptText("commune", s.commune));
  PASIP_TRY(m.OptNumber("latitude", s.latitude));
  PASIP_TRY(m.OptNumber("longitude", s.longitude));
  PASIP_TRY(m.OptText("telephone", s.telephone));
  PASIP_TRY(m.OptText("courriel", s.courriel));
  PASIP_TRY(m.OptText("site_web", s.site_web));
  PASIP_TRY(m.OptText("lien_source", s.lien_source));
  PASIP_TRY(m.OptText("horaires_accueil", s.horaires_accueil));
  PASIP_TRY(m.OptText("accessibilite_lieu", s.accessibilite_lieu));
  PASIP_TRY(m.Strings("reseaux_porteurs", s.reseaux_porteurs));
  return Ok();
}

Status ReadServiceCommon(const Members& m, dir::Service& s) {
  PASIP_TRY(m.Text("nom", s.nom));
  PASIP_TRY(m.Text("description", s.description));
  PASIP_TRY(m.OptText("type", s.type));
  PASIP_TRY(m.Strings("thematiques", s.thematiques));
  PASIP_TRY(m.OptText("frais", s.frais));
  PASIP_TRY(m.OptText("frais_precisions", s.frais_precisions));
  PASIP_TRY(m.Strings("publics", s.publics));
  PASIP_TRY(m.OptText("publics_precisions", s.publics_precisions));
  PASIP_TRY(m.OptText("conditions_acces", s.conditions_acces));
  PASIP_TRY(m.OptText("adresse", s.adresse));
  PASIP_TRY(m.OptText("complement_adresse", s.complement_adresse));
  PASIP_TRY(m.OptText("code_postal", s.code_postal));
  PASIP_TRY(m.OptText("code_insee", s.code_insee));
  PASIP_TRY(m.OptText("commune", s.commune));
  PASIP_TRY(m.OptNumber("latitude", s.latitude));
  PASIP_TRY(m.OptNumber("longitude", s.longitude));
  PASIP_TRY(m.OptText("telephone", s.telephone));
  PASIP_TRY(m.OptText("courriel", s.courriel));
  PASIP_TRY(m.OptText("contact_nom_prenom", s.contact_nom_prenom));
  PASIP_TRY(m.Strings("modes_accueil", s.modes_accueil));
  PASIP_TRY(m.Strings("modes_mobilisation", s.modes_mobilisation));
  PASIP_TRY(m.OptText("lien_mobilisation", s.lien_mobilisation));
  PASIP_TRY(m.Strings("mobilisable_par", s.mobilisable_par));
  PASIP_TRY(m.OptText("mobilisation_precisions", s.mobilisation_precisions));
  PASIP_TRY(m.OptText("lien_source", s.lien_source));
  PASIP_TRY(m.OptText("horaires_accueil", s.horaires_accueil));
  PASIP_TRY(m.Strings("zone_eligibilite", s.zone_eligibilite));
  PASIP_TRY(m.OptInteger("nombre_semaines", s.nombre_semaines));
  PASIP_TRY(m.OptNumber("volume_horaire_hebdomadaire", s.volume_horaire_hebdomadaire));
  return Ok();
}

Status ReadId(const Members& m, std::string_view name, std::optional<std::int64_t>& out) {
  PASIP_TRY(m.OptInteger(name, out));
  if (out && *out <= 0) return Fail(m.Expected(name, "un numéro positif"));
  return Ok();
}

Status ReadExtensions(const Members& m, dir::Structure& s) {
  PASIP_TRY(ReadId(m, "organisation_id", s.organisation_id));
  PASIP_TRY(ReadId(m, "site_id", s.site_id));
  PASIP_TRY(m.Bool("publie", s.publie));
  PASIP_ASSIGN_OR_RETURN(label, m.Object("label_pasip"));
  if (label) {
    for (const auto& criterion : dir::PasipCriteria()) {
      bool value = dir::GetCriterion(s.label, criterion.value).value_or(false);
      PASIP_TRY(label->Bool(criterion.value, value));
      dir::SetCriterion(s.label, criterion.value, value);
    }
  }
  PASIP_ASSIGN_OR_RETURN(access, m.Object("accessibilite"));
  if (access) {
    PASIP_TRY(access->Strings("langues", s.accessibilite.langues));
    PASIP_TRY(access->Bool("langue_des_signes", s.accessibilite.langue_des_signes));
    PASIP_TRY(access->Bool("interpretariat", s.accessibilite.interpretariat));
    PASIP_TRY(access->OptBool("pmr", s.accessibilite.pmr));
  }
  PASIP_ASSIGN_OR_RETURN(stops, m.Objects("arrets"));
  if (stops) {
    s.arrets.clear();
    for (const Members& item : *stops) {
      dir::ItinerantStop stop;
      PASIP_TRY(item.Text("lieu", stop.lieu));
      PASIP_TRY(item.Text("code_insee", stop.code_insee));
      PASIP_TRY(item.OptNumber("latitude", stop.latitude));
      PASIP_TRY(item.OptNumber("longitude", stop.longitude));
      PASIP_TRY(item.Text("horaires", stop.horaires));
      s.arrets.push_back(std::move(stop));
    }
  }
  PASIP_ASSIGN_OR_RETURN(referents, m.Objects("referents"));
  if (referents) {
    s.referents.clear();
    for (const Members& item : *referents) {
      dir::Referent r;
      PASIP_TRY(item.Text("nom", r.nom));
      PASIP_TRY(item.Text("fonction", r.fonction));
      PASIP_TRY(item.Text("telephone", r.telephone));
      PASIP_TRY(item.Text("courriel", r.courriel));
      s.referents.push_back(std::move(r));
    }
  }
  PASIP_ASSIGN_OR_RETURN(notices, m.Objects("avis"));
  if (notices) {
    s.avis.clear();
    for (const Members& item : *notices) {
      dir::Notice n;
      PASIP_TRY(item.Text("debut", n.debut));
      PASIP_TRY(item.Text("fin", n.fin));
      PASIP_TRY(item.Text("message", n.message));
      PASIP_TRY(item.Bool("fermeture", n.fermeture));
      s.avis.push_back(std::move(n));
    }
  }
  return Ok();
}

}  // namespace

// ---------------------------------------------------------------------------------------
// data·inclusion v1.

json ToDataInclusion(const dir::Structure& s) {
  return {{"id", dir::DataInclusionId(s.source, s.source_id)},
          {"source", s.source},
          {"nom", s.nom},
          {"date_maj", s.date_maj},
          {"siret", Text(s.siret)},
          {"description", Text(s.description)},
          {"adresse", Text(s.adresse)},
          {"complement_adresse", Text(s.complement_adresse)},
          {"code_postal", Text(s.code_postal)},
          {"code_insee", Text(s.code_insee)},
          {"commune", Text(s.commune)},
          {"latitude", Number(s.latitude)},
          {"longitude", Number(s.longitude)},
          {"telephone", Text(s.telephone)},
          {"courriel", Text(s.courriel)},
          {"site_web", Text(s.site_web)},
          {"lien_source", Text(s.lien_source)},
          {"horaires_accueil", Text(s.horaires_accueil)},
          {"accessibilite_lieu", Text(s.accessibilite_lieu)},
          {"reseaux_porteurs", ListOrNull(s.reseaux_porteurs)}};
}

json ToDataInclusion(const dir::Service& s, std::string_view structure_di_id) {
  const bool contacts = s.contacts_publics;
  return {{"id", dir::DataInclusionId(s.source, s.source_id)},
          {"source", s.source},
          {"structure_id", std::string(structure_di_id)},
          {"nom", s.nom},
          {"description", s.description},
          {"date_maj", s.date_maj},
          {"type", Text(s.type)},
          {"thematiques", ListOrNull(s.thematiques)},
          {"frais", Text(s.frais)},
          {"frais_precisions", Text(s.frais_precisions)},
          {"publics", ListOrNull(s.publics)},
          {"publics_precisions", Text(s.publics_precisions)},
          {"conditions_acces", Text(s.conditions_acces)},
          {"adresse", Text(s.adresse)},
          {"complement_adresse", Text(s.complement_adresse)},
          {"code_postal", Text(s.code_postal)},
          {"code_insee", Text(s.code_insee)},
          {"commune", Text(s.commune)},
          {"latitude", Number(s.latitude)},
          {"longitude", Number(s.longitude)},
          {"telephone", contacts ? Text(s.telephone) : json(nullptr)},
          {"courriel", contacts ? Text(s.courriel) : json(nullptr)},
          {"contact_nom_prenom", contacts ? Text(s.contact_nom_prenom) : json(nullptr)},
          {"modes_accueil", ListOrNull(s.modes_accueil)},
          {"modes_mobilisation", ListOrNull(s.modes_mobilisation)},
          {"lien_mobilisation", Text(s.lien_mobilisation)},
          {"mobilisable_par", ListOrNull(s.mobilisable_par)},
          {"mobilisation_precisions", Text(s.mobilisation_precisions)},
          {"lien_source", Text(s.lien_source)},
          {"horaires_accueil", Text(s.horaires_accueil)},
          {"zone_eligibilite", ListOrNull(s.zone_eligibilite)},
          {"nombre_semaines", OptInt(s.nombre_semaines)},
          {"volume_horaire_hebdomadaire", Number(s.volume_horaire_hebdomadaire)}};
}

Result<dir::Structure> StructureFromDataInclusion(const json& j) {
  PASIP_TRY(ObjectOf(j));
  const Members m(j, "");
  dir::Structure s;
  PASIP_TRY(m.Required("source", s.source));
  std::string id;
  PASIP_TRY(m.Required("id", id));
  s.source_id = SourceIdOf(id, s.source);
  PASIP_TRY(ReadDate(m, s.date_maj));
  PASIP_TRY(ReadStructureCommon(m, s));
  return s;
}

Result<dir::Service> ServiceFromDataInclusion(const json& j, std::string& structure_source_id) {
  PASIP_TRY(ObjectOf(j));
  const Members m(j, "");
  dir::Service s;
  PASIP_TRY(m.Required("source", s.source));
  std::string id, structure_id;
  PASIP_TRY(m.Required("id", id));
  PASIP_TRY(m.Required("structure_id", structure_id));
  s.source_id = SourceIdOf(id, s.source);
  PASIP_TRY(ReadDate(m, s.date_maj));
  PASIP_TRY(ReadServiceCommon(m, s));
  structure_source_id = SourceIdOf(structure_id, s.source);
  return s;
}

// ---------------------------------------------------------------------------------------
// pasip's records.

json ToJson(const dir::Structure& s, dir::View view) {
  json out = ToDataInclusion(s);
  out["pasip_id"] = s.id;
  out["organisation_id"] = OptInt(s.organisation_id);
  out["site_id"] = OptInt(s.site_id);
  out["label_pasip"] = LabelJson(s.label);
  out["accessibilite"] = AccessibilityJson(s.accessibilite);
  out["arrets"] = StopsJson(s.arrets);
  out["avis"] = NoticesJson(s.avis);
  out["publie"] = s.publie;
  out["updated_at"] = UpdatedAt(s.updated_at);
  if (view == dir::View::kProfessional) out["referents"] = ReferentsJson(s.referents);
  return out;
}

json ToJson(const dir::Service& s, dir::View view) {
  dir::Service shown = s;
  // The professional view sees every contact; the public one those made public.
  if (view == dir::View::kProfessional) shown.contacts_publics = true;
  json out = ToDataInclusion(shown, "");
  out.erase("structure_id");  // the data·inclusion id of the structure is not known here
  out["pasip_id"] = s.id;
  out["structure"] = s.structure_id;
  out["contacts_publics"] = s.contacts_publics;
  out["permanences"] = PermanencesJson(s.permanences);
  out["publie"] = s.publie;
  out["updated_at"] = UpdatedAt(s.updated_at);
  return out;
}

Result<dir::Structure> StructureFromJson(const json& j, dir::Structure base) {
  PASIP_TRY(ObjectOf(j));
  const Members m(j, "");
  PASIP_TRY(ReadStructureCommon(m, base));
  PASIP_TRY(ReadExtensions(m, base));
  return base;
}

Result<dir::Service> ServiceFromJson(const json& j, dir::Service base) {
  PASIP_TRY(ObjectOf(j));
  const Members m(j, "");
  PASIP_TRY(ReadServiceCommon(m, base));
  std::optional<std::int64_t> structure;
  PASIP_TRY(ReadId(m, "structure", structure));
  if (structure) base.structure_id = *structure;
  PASIP_TRY(m.Bool("contacts_publics", base.contacts_publics));
  PASIP_TRY(m.Bool("publie", base.publie));
  PASIP_ASSIGN_OR_RETURN(permanences, m.Objects("permanences"));
  if (permanences) {
    base.permanences.clear();
    for (const Members& item : *permanences) {
      dir::Permanence p;
      std::optional<std::int64_t> host;
      PASIP_TRY(ReadId(item, "structure_hote", host));
      p.host_structure_id = host.value_or(0);
      PASIP_TRY(item.Text("horaires", p.horaires));
      PASIP_TRY(item.Text("precisions", p.precisions));
      base.permanences.push_back(std::move(p));
    }
  }
  return base;
}

}  // namespace pasip::api
