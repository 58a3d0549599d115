#include "storage/orientation_repository.h"

#include <nlohmann/json.hpp>
#include <utility>

#include "core/crypto.h"
#include "storage/outbox_repository.h"

namespace pasip::storage {
namespace {

using orientation::Event;
using orientation::LinkCode;
using orientation::LinkSession;
using orientation::ListQuery;
using orientation::MeasureQuery;
using orientation::MeasureRow;
using orientation::Notification;
using orientation::Orientation;
using orientation::OrientationId;
using orientation::SharedValue;
using orientation::Step;
using orientation::Write;
using orientation::Written;
using OStatus = orientation::Status;
using Json = nlohmann::json;

constexpr char kLinkKeyName[] = "orientation.link_key";
constexpr std::size_t kLinkKeyBytes = 32;

TimePoint WholeSeconds(TimePoint t) { return FromUnixSeconds(ToUnixSeconds(t)); }
std::optional<TimePoint> WholeSeconds(const std::optional<TimePoint>& t) {
  if (!t) return std::nullopt;
  return WholeSeconds(*t);
}

// "(?, ?, …)" with n placeholders.
std::string Placeholders(std::size_t n) {
  std::string out = "(";
  for (std::size_t i = 0; i < n; ++i) out += i == 0 ? "?" : ", ?";
  return out + ")";
}

Error OrientationNotFound() { return NotFound("Cette orientation n'existe pas."); }

std::string StatusText(OStatus s) { return std::string(orientation::StatusName(s)); }
std::string StepText(Step s) { return std::string(orientation::StepName(s)); }

// The statuses in which an orientation awaits the recipient's answer (reminders, expiry).
std::vector<Value> AwaitingStatuses() {
  std::vector<Value> out;
  for (const OStatus s : orientation::kAllStatuses) {
    if (orientation::AwaitsAnswer(s)) out.emplace_back(StatusText(s));
  }
  return out;
}

// --- Orientations ------------------------------------------------------------------------

// Written by AppendOrientation, in this order; then created_at and version on insert.
constexpr char kOrientationWriteColumns[] =
    "status, organisation_id, site_id, created_by, passage_id, person_id, service_id, "
    "structure_id, recipient_organisation_id, service_nom, structure_nom, referent_nom, "
    "destinataire_courriel, motifs, demande, urgence, mode, accompagnement, echeance, "
    "champs_partages, partage, consentement, consent_id, sent_at, received_at, answered_at, "
    "outcome_at, closed_at, expires_at, next_reminder_at, reminders, motif, commentaire, "
    "rdv_date, rdv_lieu, origine_id, reorientee_vers, updated_at";
constexpr char kOrientationColumns[] =
    "id, status, organisation_id, site_id, created_by, passage_id, person_id, service_id, "
    "structure_id, recipient_organisation_id, service_nom, structure_nom, referent_nom, "
    "destinataire_courriel, motifs, demande, urgence, mode, accompagnement, echeance, "
    "champs_partages, partage, consentement, consent_id, sent_at, received_at, answered_at, "
    "outcome_at, closed_at, expires_at, next_reminder_at, reminders, motif, commentaire, "
    "rdv_date, rdv_lieu, origine_id, reorientee_vers, created_at, updated_at, version";

std::string SharedJson(const std::vector<SharedValue>& shared) {
  Json out = Json::array();
  for (const SharedValue& v : shared) out.push_back({{"champ", v.field}, {"valeur", v.value}});
  return out.dump();
}

std::vector<SharedValue> SharedFromJson(const std::string& text) {
  std::vector<SharedValue> out;
  for (const auto& v : Json::parse(text)) {
    out.push_back({v.value("champ", ""), v.value("valeur", "")});
  }
  return out;
}

void AppendOrientation(const Orientation& o, std::vector<Value>& values) {
  values.emplace_back(StatusText(o.status));
  values.emplace_back(o.organisation_id);
  values.emplace_back(o.site_id);
  values.emplace_back(o.created_by);
  values.emplace_back(o.passage_id);
  values.emplace_back(o.person_id);
  values.emplace_back(o.service_id);
  values.emplace_back(o.structure_id);
  values.emplace_back(o.recipient_organisation_id);
  values.emplace_back(o.service_nom);
  values.emplace_back(o.structure_nom);
  values.emplace_back(o.referent_nom);
  values.emplace_back(o.destinataire_courriel);
  values.emplace_back(Json(o.motifs).dump());
  values.emplace_back(o.demande);
  values.emplace_back(o.urgence);
  values.emplace_back(o.mode);
  values.emplace_back(o.accompagnement);
  values.emplace_back(o.echeance);
  values.emplace_back(Json(o.champs_partages).dump());
  values.emplace_back(SharedJson(o.partage));
  values.emplace_back(o.consentement);
  values.emplace_back(o.consent_id);
  values.emplace_back(o.sent_at);
  values.emplace_back(o.received_at);
  values.emplace_back(o.answered_at);
  values.emplace_back(o.outcome_at);
  values.emplace_back(o.closed_at);
  values.emplace_back(o.expires_at);
  values.emplace_back(o.next_reminder_at);
  values.emplace_back(o.reminders);
  values.emplace_back(o.motif);
  values.emplace_back(o.commentaire);
  values.emplace_back(o.rdv_date);
  values.emplace_back(o.rdv_lieu);
  values.emplace_back(o.origine_id);
  values.emplace_back(o.reorientee_vers);
  values.emplace_back(o.updated_at);
}

Orientation ToOrientation(const Row& r) {
  Orientation o;
  o.id = r.Int(0);
  o.status = orientation::ParseStatus(r.Text(1)).value_or(OStatus::kDraft);
  o.organisation_id = r.Int(2);
  o.site_id = r.Int(3);
  o.created_by = r.Int(4);
  o.passage_id = r.OptInt(5);
  o.person_id = r.OptInt(6);
  o.service_id = r.Int(7);
  o.structure_id = r.Int(8);
  o.recipient_organisation_id = r.OptInt(9);
  o.service_nom = r.Text(10);
  o.structure_nom = r.Text(11);
  o.referent_nom = r.Text(12);
  o.destinataire_courriel = r.Text(13);
  o.motifs = Json::parse(r.Text(14)).get<std::vector<std::string>>();
  o.demande = r.Text(15);
  o.urgence = r.Text(16);
  o.mode = r.Text(17);
  o.accompagnement = r.Text(18);
  o.echeance = r.Text(19);
  o.champs_partages = Json::parse(r.Text(20)).get<std::vector<std::string>>();
  o.partage = SharedFromJson(r.Text(21));
  o.consentement = r.Text(22);
  o.consent_id = r.OptInt(23);
  o.sent_at = r.OptTime(24);
  o.received_at = r.OptTime(25);
  o.answered_at = r.OptTime(26);
  o.outcome_at = r.OptTime(27);
  o.closed_at = r.OptTime(28);
  o.expires_at = r.OptTime(29);
  o.next_reminder_at = r.OptTime(30);
  o.reminders = static_cast<int>(r.Int(31));
  o.motif = r.Text(32);
  o.commentaire = r.Text(33);
  o.rdv_date = r.OptTime(34);
  o.rdv_lieu = r.Text(35);
  o.origine_id = r.OptInt(36);
  o.reorientee_vers = r.OptInt(37);
  o.created_at = r.Time(38);
  o.updated_at = r.Time(39);
  o.version = r.Int(40);
  return o;
}

Orientation Normalised(Orientation o) {
  o.sent_at = WholeSeconds(o.sent_at);
  o.received_at = WholeSeconds(o.received_at);
  o.answered_at = WholeSeconds(o.answered_at);
  o.outcome_at = WholeSeconds(o.outcome_at);
  o.closed_at = WholeSeconds(o.closed_at);
  o.expires_at = WholeSeconds(o.expires_at);
  o.next_reminder_at = WholeSeconds(o.next_reminder_at);
  o.rdv_date = WholeSeconds(o.rdv_date);
  o.created_at = WholeSeconds(o.created_at);
  o.updated_at = WholeSeconds(o.updated_at);
  return o;
}

// Inserts `o` as version 1; answers its id.
Result<OrientationId> InsertOrientation(Connection& c, const Orientation& o) {
  std::vector<Value> values;
  AppendOrientation(o, values);
  values.emplace_back(o.created_at);
  values.emplace_back(1);
  PASIP_ASSIGN_OR_RETURN(
      rows, c.Query(std::string("INSERT INTO orientations (") + kOrientationWriteColumns +
                        ", created_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, "
                        "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                        "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                        "RETURNING id",
                    values));
  if (rows.empty()) return Fail(Internal("L'orientation n'a pas renvoyé son identifiant."));
  return rows.front().Int(0);
}

// Rewrites everything but id and created_at when the stored version is `o.version`.
Status UpdateOrientation(Connection& c, const Orientation& o) {
  std::vector<Value> values;
  AppendOrientation(o, values);
  values.emplace_back(o.id);
  values.emplace_back(o.version);
  PASIP_ASSIGN_OR_RETURN(
      n, c.Execute("UPDATE orientations SET status = ?, organisation_id = ?, site_id = ?, "
                   "created_by = ?, passage_id = ?, person_id = ?, service_id = ?, "
                   "structure_id = ?, recipient_organisation_id = ?, service_nom = ?, "
                   "structure_nom = ?, referent_nom = ?, destinataire_courriel = ?, motifs = ?, "
                   "demande = ?, urgence = ?, mode = ?, accompagnement = ?, echeance = ?, "
                   "champs_partages = ?, partage = ?, consentement = ?, consent_id = ?, "
                   "sent_at = ?, received_at = ?, answered_at = ?, outcome_at = ?, "
                   "closed_at = ?, expires_at = ?, next_reminder_at = ?, reminders = ?, "
                   "motif = ?, commentaire = ?, rdv_date = ?, rdv_lieu = ?, origine_id = ?, "
                   "reorientee_vers = ?, updated_at = ?, version = version + 1 "
                   "WHERE id = ? AND version = ?",
                   values));
  if (n > 0) return Ok();
  PASIP_ASSIGN_OR_RETURN(found, c.QueryOne("SELECT id FROM orientations WHERE id = ?", {o.id}));
  if (!found) return Fail(OrientationNotFound());
  return Fail(FailedPrecondition("L'orientation a été modifiée entre-temps : rechargez-la."));
}

Result<Orientation> ReadOrientation(Connection& c, OrientationId id) {
  PASIP_ASSIGN_OR_RETURN(row, c.QueryOne(std::string("SELECT ") + kOrientationColumns +
                                             " FROM orientations WHERE id = ?",
                                         {id}));
  if (!row) return Fail(OrientationNotFound());
  return ToOrientation(*row);
}

std::vector<Orientation> ToOrientations(const Rows& rows) {
  std::vector<Orientation> out;
  out.reserve(rows.size());
  for (const Row& r : rows) out.push_back(ToOrientation(r));
  return out;
}

// --- Events and notifications ------------------------------------------------------------

constexpr char kEventColumns[] =
    "id, orientation_id, at, actor_id, actor, step, from_status, to_status, detail";

Event ToEvent(const Row& r) {
  return {r.Int(0),  r.Int(1),  r.Time(2), r.Int(3), r.Text(4),
          r.Text(5), r.Text(6), r.Text(7), r.Text(8)};
}

// Events whose orientation_id is 0 belong to `owner`.
Status InsertEvents(Connection& c, const std::vector<Event>& events, OrientationId owner) {
  for (const Event& e : events) {
    PASIP_TRY(
        c.Execute("INSERT INTO orientation_events (orientation_id, at, actor_id, actor, step, "
                  "from_status, to_status, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                  {e.orientation_id == 0 ? owner : e.orientation_id, WholeSeconds(e.at), e.actor_id,
                   e.actor, e.step, e.from, e.to, e.detail}));
  }
  return Ok();
}

constexpr char kNotificationColumns[] = "id, user_id, orientation_id, at, message, read_at";

Notification ToNotification(const Row& r) {
  return {r.Int(0), r.Int(1), r.Int(2), r.Time(3), r.Text(4), r.OptTime(5)};
}

// --- Link key ----------------------------------------------------------------------------

std::optional<std::string> FromHex(std::string_view hex) {
  const auto digit = [](char ch) -> int {
    if (ch >= '0' && ch <= '9') return ch - '0';
    if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
    return -1;
  };
  if (hex.size() % 2 != 0) return std::nullopt;
  std::string out;
  out.reserve(hex.size() / 2);
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    const int high = digit(hex[i]);
    const int low = digit(hex[i + 1]);
    if (high < 0 || low < 0) return std::nullopt;
    out.push_back(static_cast<char>(high * 16 + low));
  }
  return out;
}

// --- Right of access ---------------------------------------------------------------------

std::string Joined(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

std::string LabelOr(std::span<const orientation::Choice> choices, const std::string& code) {
  return orientation::IsChoice(choices, code) ? std::string(orientation::LabelOf(choices, code))
                                              : code;
}

std::string ReasonLabel(const std::string& code) {
  for (const auto choices : {orientation::RefusalReasons(), orientation::ReorientReasons(),
                             orientation::CancelReasons()}) {
    if (orientation::IsChoice(choices, code))
      return std::string(orientation::LabelOf(choices, code));
  }
  return code;
}

reception::PersonExport::Record ToRecord(const Orientation& o, const std::vector<Event>& history) {
  reception::PersonExport::Record r;
  r.kind = "orientation";
  r.id = o.id;
  const auto add = [&](std::string name, std::string value) {
    if (!value.empty()) r.fields.emplace_back(std::move(name), std::move(value));
  };
  const auto add_time = [&](std::string name, const std::optional<TimePoint>& t) {
    if (t) add(std::move(name), FormatIsoUtc(*t));
  };
  add("statut", std::string(orientation::StatusLabel(o.status)));
  add("service", o.service_nom);
  add("structure", o.structure_nom);
  add("referent", o.referent_nom);
  add("motifs", Joined(o.motifs));
  add("demande", o.demande);
  add("urgence", o.urgence);
  add("mode", LabelOr(orientation::Modes(), o.mode));
  add("accompagnement", LabelOr(orientation::Accompagnements(), o.accompagnement));
  add("echeance", o.echeance);
  std::vector<std::string> fields;
  for (const std::string& f : o.champs_partages) {
    fields.push_back(LabelOr(orientation::ShareableFields(), f));
  }
  add("champs_partages", Joined(fields));
  for (const SharedValue& v : o.partage) add("partage." + v.field, v.value);
  add("consentement", o.consentement);
  add_time("creee_le", o.created_at);
  add_time("envoyee_le", o.sent_at);
  add_time("recue_le", o.received_at);
  add_time("repondue_le", o.answered_at);
  add_time("issue_le", o.outcome_at);
  add_time("cloturee_le", o.closed_at);
  add_time("rdv_date", o.rdv_date);
  add("rdv_lieu", o.rdv_lieu);
  add("motif", ReasonLabel(o.motif));
  add("commentaire", o.commentaire);
  if (o.origine_id) add("origine", "n° " + std::to_string(*o.origine_id));
  if (o.reorientee_vers) add("reorientee_vers", "n° " + std::to_string(*o.reorientee_vers));
  std::string lines;
  for (const Event& e : history) {
    if (!lines.empty()) lines += "\n";
    lines += FormatIsoUtc(e.at) + " : " + e.step;
    if (!e.from.empty() || !e.to.empty()) lines += " (" + e.from + " → " + e.to + ")";
    if (!e.detail.empty()) lines += " — " + e.detail;
  }
  add("historique", lines);
  return r;
}

}  // namespace

const std::vector<std::string>& SqlOrientationStore::PersonTables() {
  static const std::vector<std::string> tables = {"orientations"};
  return tables;
}

// --- Orientations ------------------------------------------------------------------------

Result<Written> SqlOrientationStore::Apply(const Write& write) {
  Orientation o = Normalised(write.orientation);
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  PASIP_ASSIGN_OR_RETURN(tx, Transaction::Begin(*c));
  if (o.id == 0) {
    PASIP_ASSIGN_OR_RETURN(id, InsertOrientation(*c, o));
    o.id = id;
  } else {
    PASIP_TRY(UpdateOrientation(*c, o));
  }
  PASIP_TRY(InsertEvents(*c, write.events, o.id));
  std::optional<OrientationId> follow_up_id;
  if (write.follow_up) {
    Orientation f = Normalised(*write.follow_up);
    f.origine_id = o.id;
    PASIP_ASSIGN_OR_RETURN(id, InsertOrientation(*c, f));
    follow_up_id = id;
    // The link back is part of the same write: the version does not move again.
    PASIP_TRY(c->Execute("UPDATE orientations SET reorientee_vers = ? WHERE id = ?", {id, o.id}));
    PASIP_TRY(InsertEvents(*c, write.follow_up_events, id));
  }
  for (const mail::Message& m : write.mails) PASIP_TRY(InsertOutboxMessage(*c, m));
  for (const Notification& n : write.notifications) {
    PASIP_TRY(
        c->Execute("INSERT INTO orientation_notifications (user_id, orientation_id, at, "
                   "message, read_at) VALUES (?, ?, ?, ?, ?)",
                   {n.user_id, n.orientation_id == 0 ? o.id : n.orientation_id, WholeSeconds(n.at),
                    n.message, WholeSeconds(n.read_at)}));
  }
  Written out;
  PASIP_ASSIGN_OR_RETURN(stored, ReadOrientation(*c, o.id));
  out.orientation = std::move(stored);
  if (follow_up_id) {
    PASIP_ASSIGN_OR_RETURN(follow_up, ReadOrientation(*c, *follow_up_id));
    out.follow_up = std::move(follow_up);
  }
  PASIP_TRY(tx.Commit());
  return out;
}

Result<std::optional<Orientation>> SqlOrientationStore::Find(OrientationId id) {
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  PASIP_ASSIGN_OR_RETURN(row, c->QueryOne(std::string("SELECT ") + kOrientationColumns +
                                              " FROM orientations WHERE id = ?",
                                          {id}));
  if (!row) return std::optional<Orientation>();
  return std::optional<Orientation>(ToOrientation(*row));
}

Result<std::vector<Event>> SqlOrientationStore::EventsOf(OrientationId id) {
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  PASIP_ASSIGN_OR_RETURN(rows, c->Query(std::string("SELECT ") + kEventColumns +
                                            " FROM orientation_events WHERE orientation_id = ? "
                                            "ORDER BY at, id",
                                        {id}));
  std::vector<Event> out;
  out.reserve(rows.size());
  for (const Row& r : rows) out.push_back(ToEvent(r));
  return out;
}

Result<std::vector<Orientation>> SqlOrientationStore::List(const ListQuery& query) {
  if (query.limit <= 0 || (query.orienting.empty() && query.recipient.empty())) {
    return std::vector<Orientation>();
  }
  // The WHERE clause, from literals and placeholders only.
  std::vector<Value> values;
  std::string sides;
  if (!query.orienting.empty()) {
    sides = "organisation_id IN " + Placeholders(query.orienting.size());
    values.insert(values.end(), query.orienting.begin(), query.orienting.end());
  }
  if (!query.recipient.empty()) {
    // The recipient never sees a draft.
    sides += std::string(sides.empty() ? "" : " OR ") + "(recipient_organisation_id IN " +
             Placeholders(query.recipient.size()) + " AND status <> ?)";
    values.insert(values.end(), query.recipient.begin(), query.recipient.end());
    values.emplace_back(StatusText(OStatus::kDraft));
  }
  std::string where = " WHERE (" + sides + ")";
  if (!query.statuses.empty()) {
    where += " AND status IN " + Placeholders(query.statuses.size());
    for (const OStatus s : query.statuses) values.emplace_back(StatusText(s));
  }
  if (!query.urgence.empty()) {
    where += " AND urgence = ?";
    values.emplace_back(query.urgence);
  }
  if (query.service_id) {
    where += " AND service_id = ?";
    values.emplace_back(*query.service_id);
  }
  if (query.site_id) {
    where += " AND site_id = ?";
    values.emplace_back(*query.site_id);
  }
  if (query.person_id) {
    where += " AND person_id = ?";
    values.emplace_back(*query.person_id);
  }
  if (query.sent_before) {
    where += " AND sent_at < ?";
    values.emplace_back(*query.sent_before);
  }
  if (query.before_id) {
    where += " AND id < ?";
    values.emplace_back(*query.before_id);
  }
  values.emplace_back(query.limit);
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  PASIP_ASSIGN_OR_RETURN(
      rows, c->Query(std::string("SELECT ") + kOrientationColumns + " FROM orientations" + where +
                         " ORDER BY id DESC LIMIT ?",
                     values));
  return ToOrientations(rows);
}

Result<std::vector<Orientation>> SqlOrientationStore::Due(TimePoint now, int limit) {
  if (limit <= 0) return std::vector<Orientation>();
  std::vector<Value> values = AwaitingStatuses();
  const std::string where = " WHERE status IN " + Placeholders(values.size()) +
                            " AND (next_reminder_at <= ? OR expires_at <= ?)";
  values.emplace_back(now);
  values.emplace_back(now);
  values.emplace_back(limit);
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  PASIP_ASSIGN_OR_RETURN(rows, c->Query(std::string("SELECT ") + kOrientationColumns +
                                            " FROM orientations" + where + " ORDER BY id LIMIT ?",
                                        values));
  return ToOrientations(rows);
}

Result<std::vector<MeasureRow>> SqlOrientationStore::MeasureRows(const MeasureQuery& query) {
  // Accepted at some point: the history holds an acceptance or an appointment (which the
  // recipient may propose without accepting first). Expired at some point: an expiry.
  // Outcome, kept after closing: received when the history holds "personne reçue" (a no-show
  // corrected later counts as received), no-show when the last outcome step is one.
  std::vector<Value> values = {StepText(Step::kAccept),
                               StepText(Step::kProposeAppointment),
                               StepText(Step::kSetAppointment),
                               StepText(Step::kExpire),
                               StepText(Step::kPersonReceived),
                               StepText(Step::kPersonReceived),
                               StepText(Step::kNoShow),
                               query.from,
                               query.to};
  std::string where = " WHERE o.sent_at >= ? AND o.sent_at < ?";
  if (!query.orienting.empty() || !query.recipient.empty()) {
    std::string sides;
    if (!query.orienting.empty()) {
      sides = "o.organisation_id IN " + Placeholders(query.orienting.size());
      values.insert(values.end(), query.orienting.begin(), query.orienting.end());
    }
    if (!query.recipient.empty()) {
      sides += std::string(sides.empty() ? "" : " OR ") + "o.recipient_organisation_id IN " +
               Placeholders(query.recipient.size());
      values.insert(values.end(), query.recipient.begin(), query.recipient.end());
    }
    where += " AND (" + sides + ")";
  }
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  PASIP_ASSIGN_OR_RETURN(
      rows,
      c->Query("SELECT o.id, o.organisation_id, o.site_id, o.recipient_organisation_id, "
               "o.service_id, o.service_nom, o.status, o.sent_at, o.answered_at, "
               "CASE WHEN EXISTS (SELECT 1 FROM orientation_events e WHERE e.orientation_id = "
               "o.id AND e.step IN (?, ?, ?)) THEN 1 ELSE 0 END, "
               "CASE WHEN EXISTS (SELECT 1 FROM orientation_events e WHERE e.orientation_id = "
               "o.id AND e.step = ?) THEN 1 ELSE 0 END, "
               "CASE WHEN EXISTS (SELECT 1 FROM orientation_events e WHERE e.orientation_id = "
               "o.id AND e.step = ?) THEN 1 ELSE 0 END, "
               "(SELECT e.step FROM orientation_events e WHERE e.orientation_id = o.id AND "
               "e.step IN (?, ?) ORDER BY e.id DESC LIMIT 1) FROM orientations o" +
                   where + " ORDER BY o.sent_at, o.id",
               values));
  std::vector<MeasureRow> out;
  out.reserve(rows.size());
  for (const Row& r : rows) {
    MeasureRow m;
    m.id = r.Int(0);
    m.organisation_id = r.Int(1);
    m.site_id = r.Int(2);
    m.recipient_organisation_id = r.OptInt(3);
    m.service_id = r.Int(4);
    m.service_nom = r.Text(5);
    m.status = orientation::ParseStatus(r.Text(6)).value_or(OStatus::kDraft);
    m.sent_at = r.Time(7);
    m.answered_at = r.OptTime(8);
    m.accepted = r.Bool(9);
    m.expired = r.Bool(10);
    m.received = r.Bool(11);
    m.no_show = !m.received && r.OptText(12) == std::string(StepText(Step::kNoShow));
    out.push_back(std::move(m));
  }
  return out;
}

Result<std::int64_t> SqlOrientationStore::CountAwaiting(orientation::OrganisationId recipient) {
  std::vector<Value> values = AwaitingStatuses();
  const std::string where =
      " WHERE status IN " + Placeholders(values.size()) + " AND recipient_organisation_id = ?";
  values.emplace_back(recipient);
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  PASIP_ASSIGN_OR_RETURN(rows, c->Query("SELECT COUNT(*) FROM orientations" + where, values));
  return rows.empty() ? 0 : rows.front().Int(0);
}

// --- Notifications -----------------------------------------------------------------------

Result<std::vector<Notification>> SqlOrientationStore::NotificationsOf(orientation::UserId user,
                                                                       bool unread_only,
                                                                       int limit) {
  std::vector<Notification> out;
  if (limit <= 0) return out;
  const std::string where =
      unread_only ? " WHERE user_id = ? AND read_at IS NULL" : " WHERE user_id = ?";
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  PASIP_ASSIGN_OR_RETURN(rows, c->Query(std::string("SELECT ") + kNotificationColumns +
                                            " FROM orientation_notifications" + where +
                                            " ORDER BY at DESC, id DESC LIMIT ?",
                                        {user, limit}));
  out.reserve(rows.size());
  for (const Row& r : rows) out.push_back(ToNotification(r));
  return out;
}

Result<std::int64_t> SqlOrientationStore::CountUnread(orientation::UserId user) {
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  PASIP_ASSIGN_OR_RETURN(row, c->QueryOne("SELECT COUNT(*) FROM orientation_notifications "
                                          "WHERE user_id = ? AND read_at IS NULL",
                                          {user}));
  return row ? row->Int(0) : 0;
}

Status SqlOrientationStore::MarkRead(orientation::NotificationId id, orientation::UserId user,
                                     TimePoint at) {
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  // The first reading is the one kept.
  PASIP_ASSIGN_OR_RETURN(
      n, c->Execute("UPDATE orientation_notifications SET read_at = COALESCE(read_at, ?) "
                    "WHERE id = ? AND user_id = ?",
                    {at, id, user}));
  if (n == 0) return Fail(NotFound("Cette notification n'existe pas."));
  return Ok();
}

Status SqlOrientationStore::MarkAllRead(orientation::UserId user, TimePoint at) {
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  PASIP_TRY(
      c->Execute("UPDATE orientation_notifications SET read_at = ? "
                 "WHERE user_id = ? AND read_at IS NULL",
                 {at, user}));
  return Ok();
}

// --- Digest preference -------------------------------------------------------------------

Result<bool> SqlOrientationStore::WantsDigest(orientation::UserId user) {
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  PASIP_ASSIGN_OR_RETURN(
      row, c->QueryOne("SELECT digest FROM orientation_prefs WHERE user_id = ?", {user}));
  return row ? row->Bool(0) : false;
}

Status SqlOrientationStore::SetDigest(orientation::UserId user, bool digest) {
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  PASIP_TRY(
      c->Execute("INSERT INTO orientation_prefs (user_id, digest) VALUES (?, ?) "
                 "ON CONFLICT (user_id) DO UPDATE SET digest = excluded.digest",
                 {user, digest}));
  return Ok();
}

// --- Partner links -----------------------------------------------------------------------

Status SqlOrientationStore::SaveCode(const LinkCode& code) {
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  PASIP_TRY(c->Execute(
      "INSERT INTO orientation_link_codes (token_hash, orientation_id, code_hash, expires_at, "
      "attempts) VALUES (?, ?, ?, ?, ?) ON CONFLICT (token_hash) DO UPDATE SET "
      "orientation_id = excluded.orientation_id, code_hash = excluded.code_hash, "
      "expires_at = excluded.expires_at, attempts = excluded.attempts",
      {code.token_hash, code.orientation_id, code.code_hash, WholeSeconds(code.expires_at),
       code.attempts}));
  return Ok();
}

Result<std::optional<LinkCode>> SqlOrientationStore::FindCode(const std::string& token_hash) {
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  PASIP_ASSIGN_OR_RETURN(
      row, c->QueryOne("SELECT token_hash, orientation_id, code_hash, expires_at, attempts "
                       "FROM orientation_link_codes WHERE token_hash = ?",
                       {token_hash}));
  if (!row) return std::optional<LinkCode>();
  return std::optional<LinkCode>(LinkCode{row->Text(0), row->Int(1), row->Text(2), row->Time(3),
                                          static_cast<int>(row->Int(4))});
}

Result<int> SqlOrientationStore::FailCode(const std::string& token_hash) {
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  PASIP_ASSIGN_OR_RETURN(row,
                         c->QueryOne("UPDATE orientation_link_codes SET attempts = attempts + 1 "
                                     "WHERE token_hash = ? RETURNING attempts",
                                     {token_hash}));
  if (!row) return Fail(NotFound("Ce code n'existe plus : demandez-en un nouveau."));
  return static_cast<int>(row->Int(0));
}

Status SqlOrientationStore::DeleteCode(const std::string& token_hash) {
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  PASIP_TRY(c->Execute("DELETE FROM orientation_link_codes WHERE token_hash = ?", {token_hash}));
  return Ok();
}

Status SqlOrientationStore::SaveLinkSession(const LinkSession& session) {
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  PASIP_TRY(
      c->Execute("INSERT INTO orientation_link_sessions (token_hash, orientation_id, courriel, "
                 "expires_at) VALUES (?, ?, ?, ?)",
                 {session.token_hash, session.orientation_id, session.courriel,
                  WholeSeconds(session.expires_at)}));
  return Ok();
}

Result<std::optional<LinkSession>> SqlOrientationStore::FindLinkSession(
    const std::string& token_hash) {
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  PASIP_ASSIGN_OR_RETURN(row, c->QueryOne("SELECT token_hash, orientation_id, courriel, expires_at "
                                          "FROM orientation_link_sessions WHERE token_hash = ?",
                                          {token_hash}));
  if (!row) return std::optional<LinkSession>();
  return std::optional<LinkSession>(
      LinkSession{row->Text(0), row->Int(1), row->Text(2), row->Time(3)});
}

Status SqlOrientationStore::DeleteLinkSession(const std::string& token_hash) {
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  PASIP_TRY(c->Execute("DELETE FROM orientation_link_sessions WHERE token_hash = ?", {token_hash}));
  return Ok();
}

Result<std::int64_t> SqlOrientationStore::PruneLinks(TimePoint now) {
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  PASIP_ASSIGN_OR_RETURN(tx, Transaction::Begin(*c));
  PASIP_ASSIGN_OR_RETURN(
      codes, c->Execute("DELETE FROM orientation_link_codes WHERE expires_at < ?", {now}));
  PASIP_ASSIGN_OR_RETURN(
      sessions, c->Execute("DELETE FROM orientation_link_sessions WHERE expires_at < ?", {now}));
  PASIP_TRY(tx.Commit());
  return codes + sessions;
}

Result<std::string> SqlOrientationStore::LinkKey() {
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  PASIP_ASSIGN_OR_RETURN(
      row, c->QueryOne("SELECT value FROM app_secrets WHERE name = ?", {kLinkKeyName}));
  if (!row) {
    // The first caller's key wins: a concurrent one inserts nothing and reads it.
    PASIP_TRY(
        c->Execute("INSERT INTO app_secrets (name, value) VALUES (?, ?) "
                   "ON CONFLICT (name) DO NOTHING",
                   {kLinkKeyName, crypto::ToHex(crypto::RandomBytes(kLinkKeyBytes))}));
    PASIP_ASSIGN_OR_RETURN(
        stored, c->QueryOne("SELECT value FROM app_secrets WHERE name = ?", {kLinkKeyName}));
    row = std::move(stored);
  }
  std::optional<std::string> key = row ? FromHex(row->Text(0)) : std::nullopt;
  if (!key || key->size() != kLinkKeyBytes) {
    return Fail(Internal("La clé de signature des liens enregistrée est illisible."));
  }
  return *key;
}

// --- Hooks for the reception store -------------------------------------------------------

Status ExportOrientationsOf(Connection& c, reception::PersonId person,
                            std::vector<reception::PersonExport::Record>& out) {
  PASIP_ASSIGN_OR_RETURN(rows, c.Query(std::string("SELECT ") + kOrientationColumns +
                                           " FROM orientations WHERE person_id = ? "
                                           "ORDER BY created_at, id",
                                       {person}));
  for (const Orientation& o : ToOrientations(rows)) {
    PASIP_ASSIGN_OR_RETURN(events, c.Query(std::string("SELECT ") + kEventColumns +
                                               " FROM orientation_events "
                                               "WHERE orientation_id = ? ORDER BY at, id",
                                           {o.id}));
    std::vector<Event> history;
    for (const Row& r : events) history.push_back(ToEvent(r));
    out.push_back(ToRecord(o, history));
  }
  return Ok();
}

Status MoveOrientations(Connection& c, reception::PersonId kept, reception::PersonId absorbed) {
  PASIP_TRY(
      c.Execute("UPDATE orientations SET person_id = ? WHERE person_id = ?", {kept, absorbed}));
  return Ok();
}

Status DetachOrientations(Connection& c, reception::PersonId person) {
  // The history's details may quote a comment: emptied first, while the orientations still
  // name the person.
  PASIP_TRY(
      c.Execute("UPDATE orientation_events SET detail = '' WHERE orientation_id IN "
                "(SELECT id FROM orientations WHERE person_id = ?)",
                {person}));
  PASIP_TRY(
      c.Execute("UPDATE orientations SET person_id = NULL, partage = '[]', demande = '', "
                "commentaire = '', rdv_lieu = '', consent_id = NULL WHERE person_id = ?",
                {person}));
  return Ok();
}

}  // namespace pasip::storage
