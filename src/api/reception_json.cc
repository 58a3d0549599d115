#include "api/reception_json.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "api/json_members.h"
#include "api/json_values.h"
#include "core/clock.h"
#include "core/text.h"

namespace pasip::api {
namespace {

using nlohmann::json;
namespace rc = reception;

// ---------------------------------------------------------------------------------------
// Reading. Every reader looks at one member of one object; `prefix` places the object in
// the document ("foyer[0].") for the field named in errors.

class Members : public JsonMembers {
 public:
  using JsonMembers::JsonMembers;

  // An integer: absent leaves `out`; null resets it.
  Status Integer(std::string_view name, std::optional<std::int64_t>& out) const {
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

  // A record number (positive integer): absent leaves `out`; null resets it.
  Status Id(std::string_view name, std::optional<std::int64_t>& out) const {
    const json* v = Find(name);
    if (!v) return Ok();
    if (v->is_null()) {
      out.reset();
      return Ok();
    }
    PASIP_ASSIGN_OR_RETURN(value, IdValue(*v, name));
    out = value;
    return Ok();
  }

  // A required-shape record number: absent leaves `out`; null is 0.
  Status Id(std::string_view name, std::int64_t& out) const {
    std::optional<std::int64_t> value = out ? std::optional<std::int64_t>(out) : std::nullopt;
    PASIP_TRY(Id(name, value));
    out = value.value_or(0);
    return Ok();
  }

  // A list of record numbers (absent leaves `out`; null is empty).
  Status Ids(std::string_view name, std::vector<std::int64_t>& out) const {
    const json* v = Find(name);
    if (!v) return Ok();
    out.clear();
    if (v->is_null()) return Ok();
    if (!v->is_array()) return Fail(Expected(name, "une liste de numéros"));
    for (std::size_t i = 0; i < v->size(); ++i) {
      const std::string item = std::string(name) + "[" + std::to_string(i) + "]";
      PASIP_ASSIGN_OR_RETURN(id, IdValue((*v)[i], item));
      out.push_back(id);
    }
    return Ok();
  }

  // An instant where "unset" is the epoch (the service fills it).
  Status Instant(std::string_view name, TimePoint& out) const {
    std::optional<TimePoint> value =
        out == TimePoint{} ? std::nullopt : std::optional<TimePoint>(out);
    PASIP_TRY(OptInstant(name, value));
    out = value.value_or(TimePoint{});
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

  // The object of member `name`: absent → nullopt; null → an empty object (clears).
  Result<std::optional<Members>> Object(std::string_view name) const {
    static const json kEmpty = json::object();
    const json* v = Find(name);
    if (!v) return std::optional<Members>();
    if (v->is_null()) return std::optional<Members>(Members(kEmpty, Field(name) + "."));
    if (!v->is_object()) return Fail(Expected(name, "un objet"));
    return std::optional<Members>(Members(*v, Field(name) + "."));
  }

 private:
  Result<std::int64_t> IdValue(const json& v, std::string_view name) const {
    auto value = IntegerValue(v, name);
    if (!value || *value <= 0) return Fail(Expected(name, "un numéro (nombre entier positif)"));
    return *value;
  }
};

Result<const json*> ObjectOf(const json& j) {
  if (!j.is_object()) {
    return Fail(InvalidArgument("Le corps de la requête doit être un objet JSON.", ""));
  }
  return &j;
}

}  // namespace

// ---------------------------------------------------------------------------------------
// Writers.

json ToJson(const rc::Passage& p) {
  return {{"id", p.id},
          {"site", Id(p.site_id)},
          {"organisation", Id(p.organisation_id)},
          {"debut", Instant(p.debut)},
          {"fin", Instant(p.fin)},
          {"canal", p.canal},
          {"agents", p.agents},
          {"personne", OrNull(p.person_id)},
          {"motifs", p.motifs},
          {"urgence", p.urgence},
          {"actes", p.actes},
          {"langue", Text(p.langue)},
          {"interpretariat", p.interpretariat},
          {"resultat", Text(p.resultat)},
          {"note", Text(p.note)},
          {"profil",
           {{"tranche_age", Text(p.profil.tranche_age)},
            {"sexe", Text(p.profil.sexe)},
            {"foyer", Text(p.profil.foyer)},
            {"commune", Text(p.profil.commune_code)}}},
          {"nombre", p.nombre},
          {"lot", p.lot},
          {"cree_par", Id(p.created_by)},
          {"cree_le", Instant(p.created_at)},
          {"modifie_le", Instant(p.updated_at)}};
}

json ToJson(const rc::Person& p) {
  json foyer = json::array();
  for (const rc::HouseholdMember& m : p.foyer) {
    foyer.push_back({{"relation", Text(m.relation)},
                     {"prenom", Text(m.prenom)},
                     {"date_naissance", Text(m.date_naissance)}});
  }
  return {{"id", p.id},
          {"nom_affiche", p.nom_affiche},
          {"nom_naissance", Text(p.nom_naissance)},
          {"nom_usage", Text(p.nom_usage)},
          {"prenoms", Text(p.prenoms)},
          {"date_naissance", Text(p.date_naissance)},
          {"sexe", Text(p.sexe)},
          {"nationalite", Text(p.nationalite)},
          {"telephone", Text(p.telephone)},
          {"courriel", Text(p.courriel)},
          {"adresse", Text(p.adresse)},
          {"commune", Text(p.commune_code)},
          {"langues", p.langues},
          {"besoins_accessibilite", Text(p.besoins_accessibilite)},
          {"referent", OrNull(p.referent_id)},
          {"foyer", std::move(foyer)},
          {"cree_le", Instant(p.created_at)},
          {"modifie_le", Instant(p.updated_at)},
          {"dernier_contact", Instant(p.dernier_contact)},
          {"fusionnee_dans", OrNull(p.fusionnee_dans)}};
}

json ToJson(const rc::Note& n) {
  return {{"id", n.id},
          {"personne", n.person_id},
          {"organisation", n.organisation_id},
          {"auteur", n.author_id},
          {"visibilite", n.visibilite},
          {"texte", n.texte},
          {"cree_le", Instant(n.created_at)}};
}

json ToJson(const rc::Consent& c) {
  return {{"id", c.id},
          {"personne", c.person_id},
          {"organisation", c.organisation_id},
          {"agent", c.agent_id},
          {"date", Instant(c.date)},
          {"objet", Text(c.objet)},
          {"destinataires", Text(c.destinataires)},
          {"portee", Text(c.portee)},
          {"opposition", c.opposition}};
}

json ToJson(const rc::Follow& f) {
  return {{"organisation", f.organisation_id}, {"motif", f.motif}, {"depuis", Instant(f.since)}};
}

json ToJson(const rc::Ticket& t) {
  return {{"id", t.id},
          {"site", t.site_id},
          {"numero", t.numero},
          {"jour", t.jour},
          {"motif", Text(t.motif)},
          {"personne", OrNull(t.person_id)},
          {"etat", std::string(rc::TicketStateName(t.etat))},
          {"etat_libelle", std::string(rc::TicketStateLabel(t.etat))},
          {"arrivee", Instant(t.arrivee)},
          {"appel", Instant(t.appel)},
          {"fin", Instant(t.fin)},
          {"agent", OrNull(t.agent_id)},
          {"transmis_a", OrNull(t.transmis_a)},
          {"note_transmission", Text(t.note_transmission)},
          {"passage", OrNull(t.passage_id)}};
}

json ToJson(const rc::PersonExport& e) {
  const auto list = [](const auto& items) {
    json out = json::array();
    for (const auto& item : items) out.push_back(ToJson(item));
    return out;
  };
  json accesses = json::array();
  for (const rc::PersonExport::Access& a : e.accesses) {
    accesses.push_back({{"date", Instant(a.at)}, {"utilisateur", a.user_id}, {"action", a.action}});
  }
  // Records of other modules (orientations…): their kind, id and fields as French members.
  json autres = json::array();
  for (const rc::PersonExport::Record& r : e.autres) {
    json champs = json::object();
    for (const auto& [name, value] : r.fields) champs[name] = value;
    autres.push_back({{"type", r.kind}, {"id", r.id}, {"champs", std::move(champs)}});
  }
  return {{"format", "pasip-export-personne/1"},
          {"personne", ToJson(e.person)},
          {"suivis", list(e.follows)},
          {"passages", list(e.passages)},
          {"notes", list(e.notes)},
          {"consentements", list(e.consents)},
          {"tickets", list(e.tickets)},
          {"dossiers_fusionnes", e.merged_from},
          {"autres", std::move(autres)},
          {"acces", std::move(accesses)}};
}

// ---------------------------------------------------------------------------------------
// Readers.

Result<rc::Passage> PassageFromJson(const json& j, rc::Passage p) {
  PASIP_TRY(ObjectOf(j));
  const Members m(j, "");
  PASIP_TRY(m.Id("site", p.site_id));
  PASIP_TRY(m.Text("canal", p.canal));
  PASIP_TRY(m.Strings("motifs", p.motifs));
  PASIP_TRY(m.Strings("actes", p.actes));
  PASIP_TRY(m.Text("urgence", p.urgence));
  PASIP_TRY(m.Text("resultat", p.resultat));
  PASIP_TRY(m.Text("langue", p.langue));
  PASIP_TRY(m.Bool("interpretariat", p.interpretariat));
  PASIP_TRY(m.Text("note", p.note));
  PASIP_TRY(m.Id("personne", p.person_id));
  PASIP_TRY(m.Instant("debut", p.debut));
  PASIP_TRY(m.OptInstant("fin", p.fin));
  PASIP_TRY(m.Ids("agents", p.agents));
  if (const json* v = m.Find("profil"); v && v->is_null()) p.profil = {};
  PASIP_ASSIGN_OR_RETURN(profil, m.Object("profil"));
  if (profil) {
    PASIP_TRY(profil->Text("tranche_age", p.profil.tranche_age));
    PASIP_TRY(profil->Text("sexe", p.profil.sexe));
    PASIP_TRY(profil->Text("foyer", p.profil.foyer));
    PASIP_TRY(profil->Text("commune", p.profil.commune_code));
  }
  return p;
}

Result<rc::Person> PersonFromJson(const json& j, rc::Person p) {
  PASIP_TRY(ObjectOf(j));
  const Members m(j, "");
  PASIP_TRY(m.Text("nom_affiche", p.nom_affiche));
  PASIP_TRY(m.Text("nom_naissance", p.nom_naissance));
  PASIP_TRY(m.Text("nom_usage", p.nom_usage));
  PASIP_TRY(m.Text("prenoms", p.prenoms));
  PASIP_TRY(m.Text("date_naissance", p.date_naissance));
  PASIP_TRY(m.Text("sexe", p.sexe));
  PASIP_TRY(m.Text("nationalite", p.nationalite));
  PASIP_TRY(m.Text("telephone", p.telephone));
  PASIP_TRY(m.Text("courriel", p.courriel));
  PASIP_TRY(m.Text("adresse", p.adresse));
  PASIP_TRY(m.Text("commune", p.commune_code));
  PASIP_TRY(m.Strings("langues", p.langues));
  PASIP_TRY(m.Text("besoins_accessibilite", p.besoins_accessibilite));
  PASIP_TRY(m.Id("referent", p.referent_id));
  PASIP_ASSIGN_OR_RETURN(foyer, m.Objects("foyer"));
  if (foyer) {
    p.foyer.clear();
    for (const Members& item : *foyer) {
      rc::HouseholdMember member;
      PASIP_TRY(item.Text("relation", member.relation));
      PASIP_TRY(item.Text("prenom", member.prenom));
      PASIP_TRY(item.Text("date_naissance", member.date_naissance));
      p.foyer.push_back(std::move(member));
    }
  }
  return p;
}

Result<rc::Note> NoteFromJson(const json& j) {
  PASIP_TRY(ObjectOf(j));
  const Members m(j, "");
  rc::Note n;
  PASIP_TRY(m.Text("visibilite", n.visibilite));
  PASIP_TRY(m.Text("texte", n.texte));
  return n;
}

Result<rc::Consent> ConsentFromJson(const json& j) {
  PASIP_TRY(ObjectOf(j));
  const Members m(j, "");
  rc::Consent c;
  PASIP_TRY(m.Text("objet", c.objet));
  PASIP_TRY(m.Text("destinataires", c.destinataires));
  PASIP_TRY(m.Text("portee", c.portee));
  PASIP_TRY(m.Bool("opposition", c.opposition));
  PASIP_TRY(m.Instant("date", c.date));
  return c;
}

Result<std::optional<std::int64_t>> OptId(const json& body, const char* field) {
  PASIP_TRY(ObjectOf(body));
  std::optional<std::int64_t> out;
  PASIP_TRY(Members(body, "").Id(field, out));
  return out;
}

Result<std::optional<std::int64_t>> OptInteger(const json& body, const char* field) {
  PASIP_TRY(ObjectOf(body));
  std::optional<std::int64_t> out;
  PASIP_TRY(Members(body, "").Integer(field, out));
  return out;
}

Result<std::optional<std::string>> OptText(const json& body, const char* field) {
  PASIP_TRY(ObjectOf(body));
  const Members m(body, "");
  if (const json* v = m.Find(field); !v || v->is_null()) return std::optional<std::string>();
  std::string out;
  PASIP_TRY(m.Text(field, out));
  return std::optional<std::string>(std::move(out));
}

}  // namespace pasip::api
