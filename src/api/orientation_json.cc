#include "api/orientation_json.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/json_members.h"
#include "api/json_values.h"
#include "core/clock.h"
#include "core/text.h"

namespace pasip::api {
namespace {

using nlohmann::json;
namespace ot = orientation;

// ---------------------------------------------------------------------------------------
// Writing.

json CellJson(const Cell& c) { return c.masked ? json(nullptr) : json(c.value); }

std::string_view GroupName(ot::GroupBy g) {
  switch (g) {
    case ot::GroupBy::kService:
      return "service";
    case ot::GroupBy::kSite:
      return "site";
    case ot::GroupBy::kPartner:
      break;
  }
  return "partenaire";
}

json LineJson(const ot::MeasureLine& l) {
  return {{"cle", l.key},
          {"libelle", l.label},
          {"envoyees", CellJson(l.envoyees)},
          {"repondues", CellJson(l.repondues)},
          {"acceptees", CellJson(l.acceptees)},
          {"personnes_recues", CellJson(l.personnes_recues)},
          {"non_venues", CellJson(l.non_venues)},
          {"expirees", CellJson(l.expirees)},
          {"taux_acceptation", OrNull(l.taux_acceptation)},
          {"taux_issue_confirmee", OrNull(l.taux_issue_confirmee)},
          {"delai_median_heures", OrNull(l.delai_median_heures)}};
}

// ---------------------------------------------------------------------------------------
// Reading.

class Members : public JsonMembers {
 public:
  using JsonMembers::JsonMembers;

  // A record number (positive integer): absent leaves `out`; null resets it.
  Status Id(std::string_view name, std::optional<std::int64_t>& out) const {
    const json* v = Find(name);
    if (!v) return Ok();
    if (v->is_null()) {
      out.reset();
      return Ok();
    }
    auto value = IntegerValue(*v, name);
    if (!value || *value <= 0) return Fail(Expected(name, "un numéro (nombre entier positif)"));
    out = *value;
    return Ok();
  }

  // A record number where 0 means unset: absent leaves `out`; null is 0.
  Status Id(std::string_view name, std::int64_t& out) const {
    std::optional<std::int64_t> value = out ? std::optional<std::int64_t>(out) : std::nullopt;
    PASIP_TRY(Id(name, value));
    out = value.value_or(0);
    return Ok();
  }

  // A non-negative integer: absent leaves `out`; null is 0.
  Status Count(std::string_view name, std::int64_t& out) const {
    const json* v = Find(name);
    if (!v) return Ok();
    if (v->is_null()) {
      out = 0;
      return Ok();
    }
    auto value = IntegerValue(*v, name);
    if (!value || *value < 0) return Fail(Expected(name, "un nombre entier positif ou nul"));
    out = *value;
    return Ok();
  }
};

Status ObjectOf(const json& j) {
  if (!j.is_object()) {
    return Fail(InvalidArgument("Le corps de la requête doit être un objet JSON.", ""));
  }
  return Ok();
}

}  // namespace

// ---------------------------------------------------------------------------------------
// Writers.

json ToJson(const ot::Event& e) {
  return {{"le", Instant(e.at)}, {"acteur", e.actor},  {"etape", e.step},
          {"de", Text(e.from)},  {"vers", Text(e.to)}, {"detail", Text(e.detail)}};
}

json ToJson(const ot::View& v, bool detail) {
  const ot::Orientation& o = v.orientation;
  json actions = json::array();
  for (const ot::Step step : v.steps) actions.push_back(std::string(ot::StepName(step)));
  json rdv = nullptr;
  if (o.rdv_date) rdv = {{"date", Instant(o.rdv_date)}, {"lieu", Text(o.rdv_lieu)}};
  json j = {{"id", o.id},
            {"statut", std::string(ot::StatusName(o.status))},
            {"statut_libelle", std::string(ot::StatusLabel(o.status))},
            {"version", o.version},
            {"site", Id(o.site_id)},
            {"site_nom", Text(v.site_nom)},
            {"organisation", Id(o.organisation_id)},
            {"organisation_nom", Text(v.organisation_nom)},
            {"agent", {{"id", Id(o.created_by)}, {"nom", Text(v.agent_nom)}}},
            {"personne", OrNull(o.person_id)},
            {"passage", OrNull(o.passage_id)},
            {"service", {{"id", Id(o.service_id)}, {"nom", Text(o.service_nom)}}},
            {"structure", {{"id", Id(o.structure_id)}, {"nom", Text(o.structure_nom)}}},
            {"organisation_destinataire", OrNull(o.recipient_organisation_id)},
            {"organisation_destinataire_nom", Text(v.recipient_organisation_nom)},
            {"referent", Text(o.referent_nom)},
            {"motifs", o.motifs},
            {"demande", o.demande},
            {"urgence", o.urgence},
            {"mode", o.mode},
            {"accompagnement", Text(o.accompagnement)},
            {"echeance", Text(o.echeance)},
            {"champs_partages", o.champs_partages},
            {"consentement", Text(o.consentement)},
            {"envoyee_le", Instant(o.sent_at)},
            {"recue_le", Instant(o.received_at)},
            {"repondue_le", Instant(o.answered_at)},
            {"issue_le", Instant(o.outcome_at)},
            {"cloturee_le", Instant(o.closed_at)},
            {"expire_le", Instant(o.expires_at)},
            {"prochain_rappel", Instant(o.next_reminder_at)},
            {"rappels", o.reminders},
            {"motif", Text(o.motif)},
            {"commentaire", Text(o.commentaire)},
            {"rendez_vous", std::move(rdv)},
            {"origine", OrNull(o.origine_id)},
            {"reorientee_vers", OrNull(o.reorientee_vers)},
            {"creee_le", Instant(o.created_at)},
            {"alertes", v.alertes},
            {"actions", std::move(actions)}};
  if (v.shows_shared) {
    json partage = json::array();
    for (const ot::SharedValue& s : o.partage) {
      partage.push_back({{"champ", s.field},
                         {"libelle", std::string(ot::LabelOf(ot::ShareableFields(), s.field))},
                         {"valeur", s.value}});
    }
    j["partage"] = std::move(partage);
  }
  if (detail) {
    json history = json::array();
    for (const ot::Event& e : v.history) history.push_back(ToJson(e));
    j["historique"] = std::move(history);
  }
  return j;
}

json ToJson(const ot::Notification& n) {
  return {{"id", n.id},
          {"orientation", Id(n.orientation_id)},
          {"le", Instant(n.at)},
          {"message", n.message},
          {"lue", n.read_at.has_value()},
          {"lue_le", Instant(n.read_at)}};
}

json ToJson(const ot::LiaisonForm& f) {
  return {{"orientation", ToJson(f.view, true)},
          {"site_adresse", Text(f.site_adresse)},
          {"agent_courriel", Text(f.agent_courriel)},
          {"service_telephone", Text(f.service_telephone)},
          {"service_courriel", Text(f.service_courriel)},
          {"service_adresse", Text(f.service_adresse)}};
}

json ToJson(const ot::Measures& m) {
  json lines = json::array();
  for (const ot::MeasureLine& l : m.lignes) lines.push_back(LineJson(l));
  return {{"par", std::string(GroupName(m.par))},
          {"du", m.du},
          {"au", m.au},
          {"lignes", std::move(lines)},
          {"total", LineJson(m.total)}};
}

// ---------------------------------------------------------------------------------------
// Readers.

ot::Draft DraftOf(const ot::Orientation& o) {
  ot::Draft d;
  d.site_id = o.site_id;
  d.passage_id = o.passage_id;
  d.person_id = o.person_id;
  d.service_id = o.service_id;
  d.referent_nom = o.referent_nom;
  d.motifs = o.motifs;
  d.demande = o.demande;
  d.urgence = o.urgence;
  d.mode = o.mode;
  d.accompagnement = o.accompagnement;
  d.echeance = o.echeance;
  d.champs_partages = o.champs_partages;
  d.consentement = o.consentement;
  return d;
}

Result<ot::Draft> DraftFromJson(const json& j, ot::Draft d) {
  PASIP_TRY(ObjectOf(j));
  const Members m(j, "");
  PASIP_TRY(m.Id("site", d.site_id));
  PASIP_TRY(m.Id("passage", d.passage_id));
  PASIP_TRY(m.Id("personne", d.person_id));
  PASIP_TRY(m.Id("service", d.service_id));
  PASIP_TRY(m.Text("referent", d.referent_nom));
  PASIP_TRY(m.Strings("motifs", d.motifs));
  PASIP_TRY(m.Text("demande", d.demande));
  PASIP_TRY(m.Text("urgence", d.urgence));
  PASIP_TRY(m.Text("mode", d.mode));
  PASIP_TRY(m.Text("accompagnement", d.accompagnement));
  PASIP_TRY(m.Text("echeance", d.echeance));
  PASIP_TRY(m.Strings("champs_partages", d.champs_partages));
  PASIP_TRY(m.Text("consentement", d.consentement));
  PASIP_TRY(m.Bool("envoyer", d.envoyer));
  return d;
}

Result<ot::StepInput> StepInputFromJson(const json& j) {
  PASIP_TRY(ObjectOf(j));
  const Members m(j, "");
  ot::StepInput in;
  PASIP_TRY(m.Text("motif", in.motif));
  PASIP_TRY(m.Text("commentaire", in.commentaire));
  PASIP_TRY(m.Count("version", in.version));
  PASIP_TRY(m.Id("service", in.service_id));
  PASIP_TRY(m.Text("referent", in.referent_nom));
  PASIP_TRY(m.OptInstant("date", in.rdv_date));
  PASIP_TRY(m.Text("lieu", in.rdv_lieu));
  return in;
}

}  // namespace pasip::api
