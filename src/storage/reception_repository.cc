#include "storage/reception_repository.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <unordered_map>
#include <utility>

#include "storage/orientation_repository.h"

namespace pasip::storage {
namespace {

using reception::Consent;
using reception::Follow;
using reception::HouseholdMember;
using reception::KeyMatch;
using reception::KeyQuery;
using reception::MotifCount;
using reception::Note;
using reception::Passage;
using reception::PassageId;
using reception::PassageQuery;
using reception::Person;
using reception::PersonExport;
using reception::PersonId;
using reception::PurgeLogEntry;
using reception::RetentionSettings;
using reception::Ticket;
using reception::TicketQuery;
using Json = nlohmann::json;

// Ids per IN (…) list: far under both databases' parameter limits.
constexpr std::size_t kIdBatch = 500;
// Attempts at a ticket number when concurrent desks take the same one (PostgreSQL).
constexpr int kTicketAttempts = 8;

TimePoint WholeSeconds(TimePoint t) { return FromUnixSeconds(ToUnixSeconds(t)); }

// "(?, ?, …)" with n placeholders.
std::string Placeholders(std::size_t n) {
  std::string out = "(";
  for (std::size_t i = 0; i < n; ++i) out += i == 0 ? "?" : ", ?";
  return out + ")";
}

Error PersonNotFound() { return NotFound("Cette personne n'existe pas."); }
Error PassageNotFound() { return NotFound("Ce passage n'existe pas."); }
Error TicketNotFound() { return NotFound("Ce ticket n'existe pas."); }

// --- Passages ----------------------------------------------------------------------------

// Columns written for a passage, in the order AppendPassage pushes them.
constexpr char kPassageWriteColumns[] =
    "site_id, organisation_id, debut, fin, canal, agents, person_id, urgence, langue, "
    "interpretariat, resultat, note, tranche_age, sexe, foyer, commune_code, nombre, lot, "
    "updated_at";
constexpr char kPassageReadColumns[] =
    "id, site_id, organisation_id, debut, fin, canal, agents, person_id, urgence, langue, "
    "interpretariat, resultat, note, tranche_age, sexe, foyer, commune_code, nombre, lot, "
    "created_by, created_at, updated_at";

void AppendPassage(const Passage& p, std::vector<Value>& values) {
  Json agents = Json::array();
  for (const auto agent : p.agents) agents.push_back(agent);
  values.emplace_back(p.site_id);
  values.emplace_back(p.organisation_id);
  values.emplace_back(p.debut);
  values.emplace_back(p.fin);
  values.emplace_back(p.canal);
  values.emplace_back(agents.dump());
  values.emplace_back(p.person_id);
  values.emplace_back(p.urgence);
  values.emplace_back(p.langue);
  values.emplace_back(p.interpretariat);
  values.emplace_back(p.resultat);
  values.emplace_back(p.note);
  values.emplace_back(p.profil.tranche_age);
  values.emplace_back(p.profil.sexe);
  values.emplace_back(p.profil.foyer);
  values.emplace_back(p.profil.commune_code);
  values.emplace_back(p.nombre);
  values.emplace_back(p.lot);
  values.emplace_back(p.updated_at);
}

Passage ToPassage(const Row& r) {
  Passage p;
  p.id = r.Int(0);
  p.site_id = r.Int(1);
  p.organisation_id = r.Int(2);
  p.debut = r.Time(3);
  p.fin = r.OptTime(4);
  p.canal = r.Text(5);
  for (const auto& agent : Json::parse(r.Text(6))) p.agents.push_back(agent.get<std::int64_t>());
  p.person_id = r.OptInt(7);
  p.urgence = r.Text(8);
  p.langue = r.Text(9);
  p.interpretariat = r.Bool(10);
  p.resultat = r.Text(11);
  p.note = r.Text(12);
  p.profil.tranche_age = r.Text(13);
  p.profil.sexe = r.Text(14);
  p.profil.foyer = r.Text(15);
  p.profil.commune_code = r.Text(16);
  p.nombre = static_cast<int>(r.Int(17));
  p.lot = r.Bool(18);
  p.created_by = r.Int(19);
  p.created_at = r.Time(20);
  p.updated_at = r.Time(21);
  return p;
}

Passage Normalised(Passage p) {
  p.debut = WholeSeconds(p.debut);
  if (p.fin) p.fin = WholeSeconds(*p.fin);
  p.created_at = WholeSeconds(p.created_at);
  p.updated_at = WholeSeconds(p.updated_at);
  return p;
}

// The motives and acts of a passage, in their order (replacing any there were).
Status WritePassageCodes(Connection& c, const Passage& p, bool replace) {
  if (replace) {
    PASIP_TRY(c.Execute("DELETE FROM passage_motifs WHERE passage_id = ?", {p.id}));
    PASIP_TRY(c.Execute("DELETE FROM passage_actes WHERE passage_id = ?", {p.id}));
  }
  // One multi-row INSERT per list: a passage has a handful of each.
  const auto write = [&](const std::vector<std::string>& codes, bool motifs) -> Status {
    if (codes.empty()) return Ok();
    std::string sql = motifs ? "INSERT INTO passage_motifs (passage_id, position, motif) VALUES "
                             : "INSERT INTO passage_actes (passage_id, position, acte) VALUES ";
    std::vector<Value> values;
    for (std::size_t i = 0; i < codes.size(); ++i) {
      sql += i == 0 ? "(?, ?, ?)" : ", (?, ?, ?)";
      values.emplace_back(p.id);
      values.emplace_back(static_cast<std::int64_t>(i));
      values.emplace_back(codes[i]);
    }
    PASIP_TRY(c.Execute(sql, values));
    return Ok();
  };
  PASIP_TRY(write(p.motifs, true));
  return write(p.actes, false);
}

// The rule of named passages (ports.h): the organisation follows the person, whose last
// contact moves forward to the passage's start.
Status FollowAndTouch(Connection& c, const Passage& p) {
  if (!p.person_id) return Ok();
  PASIP_TRY(
      c.Execute("INSERT INTO person_follows (person_id, organisation_id, motif, since) "
                "VALUES (?, ?, 'passage', ?) ON CONFLICT (person_id, organisation_id) DO NOTHING",
                {*p.person_id, p.organisation_id, p.created_at}));
  PASIP_TRY(c.Execute("UPDATE persons SET dernier_contact = ? WHERE id = ? AND dernier_contact < ?",
                      {p.debut, *p.person_id, p.debut}));
  return Ok();
}

Status CheckPersonExists(Connection& c, std::optional<PersonId> id) {
  if (!id) return Ok();
  PASIP_ASSIGN_OR_RETURN(row, c.QueryOne("SELECT id FROM persons WHERE id = ?", {*id}));
  if (!row) return Fail(InvalidArgument("Cette personne n'existe pas.", "personne"));
  return Ok();
}

// Runs `sql_prefix` + "(?, …)" over `ids` in batches, handing each batch's rows to `on_rows`.
template <typename OnRows>
Status ForIdBatches(Connection& c, const std::string& sql_prefix, std::span<const std::int64_t> ids,
                    const std::string& sql_suffix, OnRows on_rows) {
  std::vector<Value> values;
  for (std::size_t start = 0; start < ids.size(); start += kIdBatch) {
    const auto batch = ids.subspan(start, std::min(kIdBatch, ids.size() - start));
    values.assign(batch.begin(), batch.end());
    const std::string sql = sql_prefix + Placeholders(batch.size()) + sql_suffix;
    PASIP_ASSIGN_OR_RETURN(rows, c.Query(sql, values));
    on_rows(rows);
  }
  return Ok();
}

// Reads the passages of `rows` (kPassageReadColumns) with their motives and acts.
Result<std::vector<Passage>> LoadPassages(Connection& c, const Rows& rows) {
  std::vector<Passage> out;
  out.reserve(rows.size());
  std::unordered_map<PassageId, std::size_t> index;
  std::vector<std::int64_t> ids;
  for (const Row& row : rows) {
    out.push_back(ToPassage(row));
    index.emplace(out.back().id, out.size() - 1);
    ids.push_back(out.back().id);
  }
  if (ids.empty()) return out;
  PASIP_TRY(ForIdBatches(c, "SELECT passage_id, motif FROM passage_motifs WHERE passage_id IN ",
                         ids, " ORDER BY passage_id, position", [&](const Rows& found) {
                           for (const Row& r : found)
                             out[index.at(r.Int(0))].motifs.push_back(r.Text(1));
                         }));
  PASIP_TRY(ForIdBatches(c, "SELECT passage_id, acte FROM passage_actes WHERE passage_id IN ", ids,
                         " ORDER BY passage_id, position", [&](const Rows& found) {
                           for (const Row& r : found) {
                             out[index.at(r.Int(0))].actes.push_back(r.Text(1));
                           }
                         }));
  return out;
}

// --- Persons -----------------------------------------------------------------------------

constexpr char kPersonWriteColumns[] =
    "nom_affiche, nom_naissance, nom_usage, prenoms, date_naissance, sexe, nationalite, "
    "telephone, courriel, adresse, commune_code, langues, besoins_accessibilite, referent_id, "
    "foyer, updated_at";
constexpr char kPersonReadColumns[] =
    "p.id, p.nom_affiche, p.nom_naissance, p.nom_usage, p.prenoms, p.date_naissance, p.sexe, "
    "p.nationalite, p.telephone, p.courriel, p.adresse, p.commune_code, p.langues, "
    "p.besoins_accessibilite, p.referent_id, p.foyer, p.created_at, p.updated_at, "
    "p.dernier_contact, p.merged_into";

void AppendPerson(const Person& p, std::vector<Value>& values) {
  Json foyer = Json::array();
  for (const HouseholdMember& m : p.foyer) {
    foyer.push_back(
        {{"relation", m.relation}, {"prenom", m.prenom}, {"date_naissance", m.date_naissance}});
  }
  values.emplace_back(p.nom_affiche);
  values.emplace_back(p.nom_naissance);
  values.emplace_back(p.nom_usage);
  values.emplace_back(p.prenoms);
  values.emplace_back(p.date_naissance);
  values.emplace_back(p.sexe);
  values.emplace_back(p.nationalite);
  values.emplace_back(p.telephone);
  values.emplace_back(p.courriel);
  values.emplace_back(p.adresse);
  values.emplace_back(p.commune_code);
  values.emplace_back(Json(p.langues).dump());
  values.emplace_back(p.besoins_accessibilite);
  values.emplace_back(p.referent_id);
  values.emplace_back(foyer.dump());
  values.emplace_back(p.updated_at);
}

Person ToPerson(const Row& r) {
  Person p;
  p.id = r.Int(0);
  p.nom_affiche = r.Text(1);
  p.nom_naissance = r.Text(2);
  p.nom_usage = r.Text(3);
  p.prenoms = r.Text(4);
  p.date_naissance = r.Text(5);
  p.sexe = r.Text(6);
  p.nationalite = r.Text(7);
  p.telephone = r.Text(8);
  p.courriel = r.Text(9);
  p.adresse = r.Text(10);
  p.commune_code = r.Text(11);
  p.langues = Json::parse(r.Text(12)).get<std::vector<std::string>>();
  p.besoins_accessibilite = r.Text(13);
  p.referent_id = r.OptInt(14);
  for (const auto& m : Json::parse(r.Text(15))) {
    p.foyer.push_back(
        {m.value("relation", ""), m.value("prenom", ""), m.value("date_naissance", "")});
  }
  p.created_at = r.Time(16);
  p.updated_at = r.Time(17);
  p.dernier_contact = r.Time(18);
  p.fusionnee_dans = r.OptInt(19);
  return p;
}

Person NormalisedPerson(Person p) {
  p.created_at = WholeSeconds(p.created_at);
  p.updated_at = WholeSeconds(p.updated_at);
  p.dernier_contact = WholeSeconds(p.dernier_contact);
  return p;
}

Status WriteKeys(Connection& c, PersonId id, std::span<const std::string> keys, bool replace) {
  if (replace) PASIP_TRY(c.Execute("DELETE FROM person_keys WHERE person_id = ?", {id}));
  std::vector<std::string> unique(keys.begin(), keys.end());
  std::sort(unique.begin(), unique.end());
  unique.erase(std::unique(unique.begin(), unique.end()), unique.end());
  if (unique.empty()) return Ok();
  std::vector<std::vector<Value>> rows;
  rows.reserve(unique.size());
  for (std::string& key : unique) rows.push_back({id, std::move(key)});
  const std::string columns[] = {"person_id", "key"};
  return c.BulkInsert("person_keys", columns, rows);
}

// The smallest text above every text starting with `prefix` (byte order): the prefix
// followed by U+10FFFF, the highest code point, which no key holds.
std::string PrefixEnd(const std::string& prefix) { return prefix + "\xF4\x8F\xBF\xBF"; }

// --- Notes, consents, follows, tickets ---------------------------------------------------

constexpr char kNoteReadColumns[] =
    "id, person_id, organisation_id, author_id, visibilite, texte, created_at";
Note ToNote(const Row& r) {
  return {r.Int(0), r.Int(1), r.Int(2), r.Int(3), r.Text(4), r.Text(5), r.Time(6)};
}

constexpr char kConsentReadColumns[] =
    "id, person_id, organisation_id, agent_id, given_at, objet, destinataires, portee, "
    "opposition";
Consent ToConsent(const Row& r) {
  return {r.Int(0),  r.Int(1),  r.Int(2),  r.Int(3), r.Time(4),
          r.Text(5), r.Text(6), r.Text(7), r.Bool(8)};
}

constexpr char kFollowReadColumns[] = "person_id, organisation_id, motif, since";
Follow ToFollow(const Row& r) { return {r.Int(0), r.Int(1), r.Text(2), r.Time(3)}; }

constexpr char kTicketReadColumns[] =
    "id, site_id, numero, jour, motif, person_id, etat, arrivee, appel, fin, agent_id, "
    "transmis_a, note_transmission, passage_id";
Ticket ToTicket(const Row& r) {
  Ticket t;
  t.id = r.Int(0);
  t.site_id = r.Int(1);
  t.numero = static_cast<int>(r.Int(2));
  t.jour = r.Text(3);
  t.motif = r.Text(4);
  t.person_id = r.OptInt(5);
  t.etat = reception::ParseTicketState(r.Text(6)).value_or(reception::TicketState::kWaiting);
  t.arrivee = r.Time(7);
  t.appel = r.OptTime(8);
  t.fin = r.OptTime(9);
  t.agent_id = r.OptInt(10);
  t.transmis_a = r.OptInt(11);
  t.note_transmission = r.Text(12);
  t.passage_id = r.OptInt(13);
  return t;
}
Ticket NormalisedTicket(Ticket t) {
  t.arrivee = WholeSeconds(t.arrivee);
  if (t.appel) t.appel = WholeSeconds(*t.appel);
  if (t.fin) t.fin = WholeSeconds(*t.fin);
  return t;
}

constexpr char kPurgeLogReadColumns[] = "id, purged_id, at, mode, bundle";

}  // namespace

const std::vector<std::string>& SqlReceptionStore::PersonTables() {
  // Other modules' tables come from their stores, whose records ExportPerson reads too.
  static const std::vector<std::string> tables = [] {
    std::vector<std::string> out = {"passages",     "person_keys",     "person_follows",
                                    "person_notes", "person_consents", "person_merges",
                                    "tickets"};
    for (const std::string& t : SqlOrientationStore::PersonTables()) out.push_back(t);
    return out;
  }();
  return tables;
}

// --- Passages ----------------------------------------------------------------------------

Result<Passage> SqlReceptionStore::CreatePassage(const Passage& passage) {
  Passage p = Normalised(passage);
  std::vector<Value> values;
  AppendPassage(p, values);
  values.emplace_back(p.created_by);
  values.emplace_back(p.created_at);
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  PASIP_ASSIGN_OR_RETURN(tx, Transaction::Begin(*c));
  PASIP_TRY(CheckPersonExists(*c, p.person_id));
  PASIP_ASSIGN_OR_RETURN(rows,
                         c->Query(std::string("INSERT INTO passages (") + kPassageWriteColumns +
                                      ", created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, "
                                      "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                                      "RETURNING id",
                                  values));
  p.id = rows.at(0).Int(0);
  PASIP_TRY(WritePassageCodes(*c, p, false));
  PASIP_TRY(FollowAndTouch(*c, p));
  PASIP_TRY(tx.Commit());
  return p;
}

Status SqlReceptionStore::UpdatePassage(const Passage& passage) {
  Passage p = Normalised(passage);
  std::vector<Value> values;
  AppendPassage(p, values);
  values.emplace_back(p.id);
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  PASIP_ASSIGN_OR_RETURN(tx, Transaction::Begin(*c));
  PASIP_ASSIGN_OR_RETURN(
      stored, c->QueryOne("SELECT created_by, created_at FROM passages WHERE id = ?", {p.id}));
  if (!stored) return Fail(PassageNotFound());
  p.created_by = stored->Int(0);
  p.created_at = stored->Time(1);
  PASIP_TRY(CheckPersonExists(*c, p.person_id));
  PASIP_TRY(c->Execute(
      "UPDATE passages SET site_id = ?, organisation_id = ?, debut = ?, fin = ?, canal = ?, "
      "agents = ?, person_id = ?, urgence = ?, langue = ?, interpretariat = ?, resultat = ?, "
      "note = ?, tranche_age = ?, sexe = ?, foyer = ?, commune_code = ?, nombre = ?, lot = ?, "
      "updated_at = ? WHERE id = ?",
      values));
  PASIP_TRY(WritePassageCodes(*c, p, true));
  PASIP_TRY(FollowAndTouch(*c, p));
  return tx.Commit();
}

Status SqlReceptionStore::DeletePassage(PassageId id) {
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  // Motives and acts follow by ON DELETE CASCADE; tickets keep their row (SET NULL).
  PASIP_ASSIGN_OR_RETURN(n, c->Execute("DELETE FROM passages WHERE id = ?", {id}));
  if (n == 0) return Fail(PassageNotFound());
  return Ok();
}

Result<std::optional<Passage>> SqlReceptionStore::FindPassage(PassageId id) {
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  PASIP_ASSIGN_OR_RETURN(tx, Transaction::Begin(*c, Transaction::Mode::kRead));
  PASIP_ASSIGN_OR_RETURN(
      rows,
      c->Query(std::string("SELECT ") + kPassageReadColumns + " FROM passages WHERE id = ?", {id}));
  PASIP_ASSIGN_OR_RETURN(passages, LoadPassages(*c, rows));
  PASIP_TRY(tx.Commit());
  if (passages.empty()) return std::optional<Passage>();
  return std::optional<Passage>(std::move(passages.front()));
}

Result<std::vector<Passage>> SqlReceptionStore::ListPassages(const PassageQuery& query) {
  if (query.limit <= 0) return std::vector<Passage>();
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  PASIP_ASSIGN_OR_RETURN(tx, Transaction::Begin(*c, Transaction::Mode::kRead));
  // The WHERE clause, from literals and placeholders only.
  std::string where = " WHERE 1 = 1";
  std::vector<Value> values;
  if (!query.site_ids.empty()) {
    where += " AND site_id IN " + Placeholders(query.site_ids.size());
    values.insert(values.end(), query.site_ids.begin(), query.site_ids.end());
  }
  if (!query.organisation_ids.empty()) {
    where += " AND organisation_id IN " + Placeholders(query.organisation_ids.size());
    values.insert(values.end(), query.organisation_ids.begin(), query.organisation_ids.end());
  }
  if (query.from) {
    where += " AND debut >= ?";
    values.emplace_back(*query.from);
  }
  if (query.to) {
    where += " AND debut < ?";
    values.emplace_back(*query.to);
  }
  if (query.person_id) {
    where += " AND person_id = ?";
    values.emplace_back(*query.person_id);
  }
  if (query.before_id) {
    // Keyset pagination on (debut, id); an unknown cursor restricts nothing.
    PASIP_ASSIGN_OR_RETURN(
        cursor, c->QueryOne("SELECT debut, id FROM passages WHERE id = ?", {*query.before_id}));
    if (cursor) {
      where += " AND (debut < ? OR (debut = ? AND id < ?))";
      values.emplace_back(cursor->Int(0));
      values.emplace_back(cursor->Int(0));
      values.emplace_back(cursor->Int(1));
    }
  }
  values.emplace_back(query.limit);
  PASIP_ASSIGN_OR_RETURN(
      rows, c->Query(std::string("SELECT ") + kPassageReadColumns + " FROM passages" + where +
                         " ORDER BY debut DESC, id DESC LIMIT ?",
                     values));
  PASIP_ASSIGN_OR_RETURN(passages, LoadPassages(*c, rows));
  PASIP_TRY(tx.Commit());
  return passages;
}

Result<std::vector<MotifCount>> SqlReceptionStore::MotifFrequencies(reception::SiteId site,
                                                                    TimePoint since) {
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  PASIP_ASSIGN_OR_RETURN(rows, c->Query("SELECT m.motif, SUM(p.nombre) FROM passages p "
                                        "JOIN passage_motifs m ON m.passage_id = p.id "
                                        "WHERE p.site_id = ? AND p.debut >= ? "
                                        "GROUP BY m.motif ORDER BY SUM(p.nombre) DESC, m.motif",
                                        {site, since}));
  std::vector<MotifCount> out;
  out.reserve(rows.size());
  for (const Row& row : rows) out.push_back({row.Text(0), row.Int(1)});
  return out;
}

// --- Persons -----------------------------------------------------------------------------

Result<Person> SqlReceptionStore::CreatePerson(const Person& person,
                                               std::span<const std::string> keys,
                                               reception::OrganisationId follower) {
  Person p = NormalisedPerson(person);
  std::vector<Value> values;
  AppendPerson(p, values);
  values.emplace_back(p.created_at);
  values.emplace_back(p.dernier_contact);
  values.emplace_back(p.fusionnee_dans);
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  PASIP_ASSIGN_OR_RETURN(tx, Transaction::Begin(*c));
  PASIP_ASSIGN_OR_RETURN(rows, c->Query(std::string("INSERT INTO persons (") + kPersonWriteColumns +
                                            ", created_at, dernier_contact, merged_into) VALUES "
                                            "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                                            "?, ?) RETURNING id",
                                        values));
  p.id = rows.at(0).Int(0);
  PASIP_TRY(WriteKeys(*c, p.id, keys, false));
  PASIP_TRY(
      c->Execute("INSERT INTO person_follows (person_id, organisation_id, motif, since) "
                 "VALUES (?, ?, 'creation', ?)",
                 {p.id, follower, p.created_at}));
  PASIP_TRY(tx.Commit());
  return p;
}

Status SqlReceptionStore::UpdatePerson(const Person& person, std::span<const std::string> keys) {
  // Identity and contacts are rewritten; created_at and merged_into stay, and the last
  // contact never moves back (a passage may have moved it meanwhile).
  const Person p = NormalisedPerson(person);
  std::vector<Value> values;
  AppendPerson(p, values);
  values.emplace_back(p.dernier_contact);
  values.emplace_back(p.dernier_contact);
  values.emplace_back(p.id);
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  PASIP_ASSIGN_OR_RETURN(tx, Transaction::Begin(*c));
  PASIP_ASSIGN_OR_RETURN(
      n, c->Execute("UPDATE persons SET nom_affiche = ?, nom_naissance = ?, nom_usage = ?, "
                    "prenoms = ?, date_naissance = ?, sexe = ?, nationalite = ?, telephone = ?, "
                    "courriel = ?, adresse = ?, commune_code = ?, langues = ?, "
                    "besoins_accessibilite = ?, referent_id = ?, foyer = ?, updated_at = ?, "
                    "dernier_contact = CASE WHEN dernier_contact < ? THEN ? "
                    "ELSE dernier_contact END WHERE id = ?",
                    values));
  if (n == 0) return Fail(PersonNotFound());
  PASIP_TRY(WriteKeys(*c, p.id, keys, true));
  return tx.Commit();
}

Result<std::optional<Person>> SqlReceptionStore::FindPerson(PersonId id) {
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  PASIP_ASSIGN_OR_RETURN(row, c->QueryOne(std::string("SELECT ") + kPersonReadColumns +
                                              " FROM persons p WHERE p.id = ?",
                                          {id}));
  if (!row) return std::optional<Person>();
  return std::optional<Person>(ToPerson(*row));
}

Status SqlReceptionStore::TouchPerson(PersonId id, TimePoint at) {
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  PASIP_ASSIGN_OR_RETURN(
      n, c->Execute("UPDATE persons SET dernier_contact = CASE WHEN dernier_contact < ? THEN ? "
                    "ELSE dernier_contact END WHERE id = ?",
                    {at, at, id}));
  if (n == 0) return Fail(PersonNotFound());
  return Ok();
}

Result<std::vector<Follow>> SqlReceptionStore::FollowsOf(PersonId id) {
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  PASIP_ASSIGN_OR_RETURN(rows, c->Query(std::string("SELECT ") + kFollowReadColumns +
                                            " FROM person_follows WHERE person_id = ? "
                                            "ORDER BY since, organisation_id",
                                        {id}));
  std::vector<Follow> out;
  for (const Row& row : rows) out.push_back(ToFollow(row));
  return out;
}

Status SqlReceptionStore::AddFollow(const Follow& follow) {
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  PASIP_ASSIGN_OR_RETURN(tx, Transaction::Begin(*c));
  PASIP_ASSIGN_OR_RETURN(found,
                         c->QueryOne("SELECT id FROM persons WHERE id = ?", {follow.person_id}));
  if (!found) return Fail(PersonNotFound());
  PASIP_TRY(
      c->Execute("INSERT INTO person_follows (person_id, organisation_id, motif, since) "
                 "VALUES (?, ?, ?, ?) ON CONFLICT (person_id, organisation_id) DO NOTHING",
                 {follow.person_id, follow.organisation_id, follow.motif, follow.since}));
  return tx.Commit();
}

Result<std::vector<KeyMatch>> SqlReceptionStore::FindByKeys(const KeyQuery& query) {
  std::vector<KeyMatch> out;
  if (query.organisation_ids.empty() || query.limit <= 0) return out;
  if (query.keys.empty() && query.prefixes.empty()) return out;
  // One row per (person, query key or prefix) matched: exact keys are labelled by
  // themselves, prefixes by their rank, so that each counts once per person.
  std::string hits;
  std::vector<Value> values;
  if (!query.keys.empty()) {
    hits = "SELECT person_id, 0 AS rank, key AS label FROM person_keys WHERE key IN " +
           Placeholders(query.keys.size());
    values.insert(values.end(), query.keys.begin(), query.keys.end());
  }
  for (std::size_t i = 0; i < query.prefixes.size(); ++i) {
    hits += std::string(hits.empty() ? "" : " UNION ") +
            "SELECT DISTINCT person_id, CAST(? AS INTEGER), '' FROM person_keys "
            "WHERE key >= ? AND key < ?";
    values.emplace_back(static_cast<std::int64_t>(i + 1));
    values.emplace_back(query.prefixes[i]);
    values.emplace_back(PrefixEnd(query.prefixes[i]));
  }
  // Ranked on the keys and follows alone; only the persons kept are then read. A file
  // merged away has neither keys nor follows left (MergePersons), the outer check is a
  // safeguard.
  std::string where;
  if (query.exclude) {
    where = " WHERE h.person_id <> ?";
    values.emplace_back(*query.exclude);
  }
  where +=
      " GROUP BY h.person_id HAVING EXISTS (SELECT 1 FROM person_follows f "
      "WHERE f.person_id = h.person_id AND f.organisation_id IN " +
      Placeholders(query.organisation_ids.size()) + ") ORDER BY COUNT(*) DESC, h.person_id LIMIT ?";
  values.insert(values.end(), query.organisation_ids.begin(), query.organisation_ids.end());
  values.emplace_back(query.limit);
  const std::string table = "(SELECT h.person_id, COUNT(*) AS matched FROM (" + hits + ") h" +
                            where + ") m JOIN persons p ON p.id = m.person_id";
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  PASIP_ASSIGN_OR_RETURN(
      rows, c->Query(std::string("SELECT ") + kPersonReadColumns + ", m.matched FROM " + table +
                         " WHERE p.merged_into IS NULL ORDER BY m.matched DESC, p.id",
                     values));
  out.reserve(rows.size());
  for (const Row& row : rows) out.push_back({ToPerson(row), static_cast<int>(row.Int(20))});
  return out;
}

Result<std::int64_t> SqlReceptionStore::CountPersons() {
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  PASIP_ASSIGN_OR_RETURN(row,
                         c->QueryOne("SELECT COUNT(*) FROM persons WHERE merged_into IS NULL"));
  return row ? row->Int(0) : 0;
}

// --- Merge -------------------------------------------------------------------------------

Status SqlReceptionStore::MergePersons(PersonId kept, PersonId absorbed, TimePoint at) {
  if (kept == absorbed) return Fail(PersonNotFound());
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  PASIP_ASSIGN_OR_RETURN(tx, Transaction::Begin(*c));
  PASIP_ASSIGN_OR_RETURN(found,
                         c->Query("SELECT id FROM persons WHERE id IN (?, ?)", {kept, absorbed}));
  if (found.size() != 2) return Fail(PersonNotFound());
  PASIP_TRY(c->Execute("UPDATE passages SET person_id = ? WHERE person_id = ?", {kept, absorbed}));
  PASIP_TRY(
      c->Execute("UPDATE person_notes SET person_id = ? WHERE person_id = ?", {kept, absorbed}));
  PASIP_TRY(
      c->Execute("UPDATE person_consents SET person_id = ? WHERE person_id = ?", {kept, absorbed}));
  PASIP_TRY(c->Execute("UPDATE tickets SET person_id = ? WHERE person_id = ?", {kept, absorbed}));
  PASIP_TRY(MoveOrientations(*c, kept, absorbed));
  // The organisations that followed the absorbed file follow the kept one ("fusion"),
  // unless they already do.
  PASIP_TRY(
      c->Execute("INSERT INTO person_follows (person_id, organisation_id, motif, since) "
                 "SELECT ?, organisation_id, 'fusion', ? FROM person_follows WHERE person_id = ? "
                 "ON CONFLICT (person_id, organisation_id) DO NOTHING",
                 {kept, at, absorbed}));
  PASIP_TRY(c->Execute("DELETE FROM person_follows WHERE person_id = ?", {absorbed}));
  PASIP_TRY(c->Execute("DELETE FROM person_keys WHERE person_id = ?", {absorbed}));
  // The absorbed file stays for redirects, emptied of its identity.
  PASIP_TRY(c->Execute(
      "UPDATE persons SET nom_affiche = 'Dossier fusionné', nom_naissance = '', nom_usage = '', "
      "prenoms = '', date_naissance = '', sexe = '', nationalite = '', telephone = '', "
      "courriel = '', adresse = '', commune_code = '', langues = '[]', "
      "besoins_accessibilite = '', referent_id = NULL, foyer = '[]', updated_at = ?, "
      "merged_into = ? WHERE id = ?",
      {at, kept, absorbed}));
  PASIP_TRY(
      c->Execute("INSERT INTO person_merges (kept_person_id, absorbed_person_id, at) "
                 "VALUES (?, ?, ?) ON CONFLICT (kept_person_id, absorbed_person_id) DO NOTHING",
                 {kept, absorbed, at}));
  return tx.Commit();
}

Result<std::vector<PersonId>> SqlReceptionStore::MergedInto(PersonId kept) {
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  PASIP_ASSIGN_OR_RETURN(rows, c->Query("SELECT absorbed_person_id FROM person_merges "
                                        "WHERE kept_person_id = ? ORDER BY at, absorbed_person_id",
                                        {kept}));
  std::vector<PersonId> out;
  for (const Row& row : rows) out.push_back(row.Int(0));
  return out;
}

// --- Notes and consents ------------------------------------------------------------------

Result<Note> SqlReceptionStore::CreateNote(const Note& note) {
  Note n = note;
  n.created_at = WholeSeconds(n.created_at);
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  PASIP_ASSIGN_OR_RETURN(tx, Transaction::Begin(*c));
  PASIP_ASSIGN_OR_RETURN(found, c->QueryOne("SELECT id FROM persons WHERE id = ?", {n.person_id}));
  if (!found) return Fail(PersonNotFound());
  PASIP_ASSIGN_OR_RETURN(
      id, c->InsertReturningId(
              "INSERT INTO person_notes (person_id, organisation_id, author_id, "
              "visibilite, texte, created_at) VALUES (?, ?, ?, ?, ?, ?) "
              "RETURNING id",
              {n.person_id, n.organisation_id, n.author_id, n.visibilite, n.texte, n.created_at}));
  n.id = id;
  PASIP_TRY(tx.Commit());
  return n;
}

Result<std::vector<Note>> SqlReceptionStore::NotesOf(PersonId id) {
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  PASIP_ASSIGN_OR_RETURN(rows, c->Query(std::string("SELECT ") + kNoteReadColumns +
                                            " FROM person_notes WHERE person_id = ? "
                                            "ORDER BY created_at, id",
                                        {id}));
  std::vector<Note> out;
  for (const Row& row : rows) out.push_back(ToNote(row));
  return out;
}

Result<Consent> SqlReceptionStore::CreateConsent(const Consent& consent) {
  Consent k = consent;
  k.date = WholeSeconds(k.date);
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  PASIP_ASSIGN_OR_RETURN(tx, Transaction::Begin(*c));
  PASIP_ASSIGN_OR_RETURN(found, c->QueryOne("SELECT id FROM persons WHERE id = ?", {k.person_id}));
  if (!found) return Fail(PersonNotFound());
  PASIP_ASSIGN_OR_RETURN(
      id, c->InsertReturningId(
              "INSERT INTO person_consents (person_id, organisation_id, agent_id, given_at, "
              "objet, destinataires, portee, opposition) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
              "RETURNING id",
              {k.person_id, k.organisation_id, k.agent_id, k.date, k.objet, k.destinataires,
               k.portee, k.opposition}));
  k.id = id;
  PASIP_TRY(tx.Commit());
  return k;
}

Result<std::vector<Consent>> SqlReceptionStore::ConsentsOf(PersonId id) {
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  PASIP_ASSIGN_OR_RETURN(rows, c->Query(std::string("SELECT ") + kConsentReadColumns +
                                            " FROM person_consents WHERE person_id = ? "
                                            "ORDER BY given_at, id",
                                        {id}));
  std::vector<Consent> out;
  for (const Row& row : rows) out.push_back(ToConsent(row));
  return out;
}

// --- Queue -------------------------------------------------------------------------------

Result<Ticket> SqlReceptionStore::CreateTicket(const Ticket& ticket) {
  Ticket t = NormalisedTicket(ticket);
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  // The number is the highest of the site and day plus one, read and written in one
  // statement. SQLite serialises writers; on PostgreSQL two desks may read the same highest
  // number: the site's row is locked first, and the unique (site_id, jour, numero) would
  // refuse a second taker of a number anyway, which then takes the next.
  for (int attempt = 1;; ++attempt) {
    PASIP_ASSIGN_OR_RETURN(tx, Transaction::Begin(*c));
    if (c->dialect() == Dialect::kPostgres) {
      // Desks of one site take their numbers in turn (the lock ends with the transaction),
      // so the retry below is a last resort; NO KEY leaves the passages' foreign-key checks
      // of the site free.
      PASIP_TRY(c->Query("SELECT id FROM sites WHERE id = ? FOR NO KEY UPDATE", {t.site_id}));
    }
    auto rows = c->Query(
        "INSERT INTO tickets (site_id, jour, numero, motif, person_id, etat, arrivee, appel, fin, "
        "agent_id, transmis_a, note_transmission, passage_id) "
        "SELECT ?, ?, COALESCE(MAX(numero), 0) + 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? FROM tickets "
        "WHERE site_id = ? AND jour = ? RETURNING id, numero",
        {t.site_id, t.jour, t.motif, t.person_id, reception::TicketStateName(t.etat), t.arrivee,
         t.appel, t.fin, t.agent_id, t.transmis_a, t.note_transmission, t.passage_id, t.site_id,
         t.jour});
    if (!rows) {
      if (rows.error().code == ErrorCode::kAlreadyExists && attempt < kTicketAttempts) continue;
      return Fail(rows.error());
    }
    t.id = rows->at(0).Int(0);
    t.numero = static_cast<int>(rows->at(0).Int(1));
    PASIP_TRY(tx.Commit());
    return t;
  }
}

Status SqlReceptionStore::UpdateTicket(const Ticket& ticket) {
  const Ticket t = NormalisedTicket(ticket);
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  // The site, day and number are the ticket's identity in the queue: they stay.
  PASIP_ASSIGN_OR_RETURN(
      n, c->Execute("UPDATE tickets SET motif = ?, person_id = ?, etat = ?, arrivee = ?, "
                    "appel = ?, fin = ?, agent_id = ?, transmis_a = ?, note_transmission = ?, "
                    "passage_id = ? WHERE id = ?",
                    {t.motif, t.person_id, reception::TicketStateName(t.etat), t.arrivee, t.appel,
                     t.fin, t.agent_id, t.transmis_a, t.note_transmission, t.passage_id, t.id}));
  if (n == 0) return Fail(TicketNotFound());
  return Ok();
}

Result<std::optional<Ticket>> SqlReceptionStore::FindTicket(reception::TicketId id) {
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  PASIP_ASSIGN_OR_RETURN(
      row, c->QueryOne(std::string("SELECT ") + kTicketReadColumns + " FROM tickets WHERE id = ?",
                       {id}));
  if (!row) return std::optional<Ticket>();
  return std::optional<Ticket>(ToTicket(*row));
}

Result<std::vector<Ticket>> SqlReceptionStore::ListTickets(const TicketQuery& query) {
  std::string where = " WHERE site_id = ?";
  std::vector<Value> values{query.site_id};
  if (!query.jour.empty()) {
    where += " AND jour = ?";
    values.emplace_back(query.jour);
  } else {
    if (query.from_jour) {
      where += " AND jour >= ?";
      values.emplace_back(*query.from_jour);
    }
    if (query.to_jour) {
      where += " AND jour <= ?";
      values.emplace_back(*query.to_jour);
    }
  }
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  PASIP_ASSIGN_OR_RETURN(rows, c->Query(std::string("SELECT ") + kTicketReadColumns +
                                            " FROM tickets" + where + " ORDER BY arrivee, id",
                                        values));
  std::vector<Ticket> out;
  for (const Row& row : rows) out.push_back(ToTicket(row));
  return out;
}

Result<std::vector<Ticket>> SqlReceptionStore::TicketsOf(PersonId id) {
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  PASIP_ASSIGN_OR_RETURN(rows, c->Query(std::string("SELECT ") + kTicketReadColumns +
                                            " FROM tickets WHERE person_id = ? "
                                            "ORDER BY arrivee, id",
                                        {id}));
  std::vector<Ticket> out;
  for (const Row& row : rows) out.push_back(ToTicket(row));
  return out;
}

Result<std::int64_t> SqlReceptionStore::ClearTicketNotes(std::string_view before_jour) {
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  // jour is TEXT "YYYY-MM-DD": the text order is the date order, on both databases. Only the
  // tickets that still have a note count as changed.
  PASIP_ASSIGN_OR_RETURN(n, c->Execute("UPDATE tickets SET note_transmission = '' "
                                       "WHERE jour < ? AND note_transmission <> ''",
                                       {std::string(before_jour)}));
  return static_cast<std::int64_t>(n);
}

// --- Retention ---------------------------------------------------------------------------

Result<std::optional<RetentionSettings>> SqlReceptionStore::FindRetention(
    reception::OrganisationId id) {
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  PASIP_ASSIGN_OR_RETURN(row,
                         c->QueryOne("SELECT organisation_id, days, mode FROM reception_retention "
                                     "WHERE organisation_id = ?",
                                     {id}));
  if (!row) return std::optional<RetentionSettings>();
  RetentionSettings s;
  s.organisation_id = row->Int(0);
  s.days = static_cast<int>(row->Int(1));
  s.mode = reception::ParsePurgeMode(row->Text(2)).value_or(reception::PurgeMode::kAnonymise);
  return std::optional<RetentionSettings>(s);
}

Status SqlReceptionStore::SaveRetention(const RetentionSettings& settings) {
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  PASIP_TRY(c->Execute(
      "INSERT INTO reception_retention (organisation_id, days, mode) VALUES (?, ?, ?) "
      "ON CONFLICT (organisation_id) DO UPDATE SET days = excluded.days, mode = excluded.mode",
      {settings.organisation_id, settings.days, reception::PurgeModeName(settings.mode)}));
  return Ok();
}

Result<std::vector<Person>> SqlReceptionStore::InactiveSince(TimePoint before, int limit) {
  std::vector<Person> out;
  if (limit <= 0) return out;
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  PASIP_ASSIGN_OR_RETURN(rows, c->Query(std::string("SELECT ") + kPersonReadColumns +
                                            " FROM persons p WHERE p.dernier_contact < ? "
                                            "AND p.merged_into IS NULL "
                                            "ORDER BY p.dernier_contact, p.id LIMIT ?",
                                        {before, limit}));
  for (const Row& row : rows) out.push_back(ToPerson(row));
  return out;
}

Status SqlReceptionStore::ErasePerson(PersonId id, const PurgeLogEntry& log) {
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  PASIP_ASSIGN_OR_RETURN(tx, Transaction::Begin(*c));
  PASIP_ASSIGN_OR_RETURN(found, c->QueryOne("SELECT id FROM persons WHERE id = ?", {id}));
  if (!found) return Fail(PersonNotFound());
  // The file and every file merged into it, transitively (each after the one it was merged
  // into, so the reverse order removes the absorbed files first).
  std::vector<PersonId> gone = {id};
  for (std::size_t i = 0; i < gone.size(); ++i) {
    PASIP_ASSIGN_OR_RETURN(rows,
                           c->Query("SELECT id FROM persons WHERE merged_into = ?", {gone[i]}));
    for (const Row& row : rows) gone.push_back(row.Int(0));
  }
  for (auto it = gone.rbegin(); it != gone.rend(); ++it) {
    const PersonId g = *it;
    // Kept for the statistics, detached and without the free text.
    PASIP_TRY(
        c->Execute("UPDATE passages SET person_id = NULL, note = '' WHERE person_id = ?", {g}));
    PASIP_TRY(c->Execute(
        "UPDATE tickets SET person_id = NULL, note_transmission = '' WHERE person_id = ?", {g}));
    PASIP_TRY(DetachOrientations(*c, g));
    PASIP_TRY(c->Execute("DELETE FROM person_notes WHERE person_id = ?", {g}));
    PASIP_TRY(c->Execute("DELETE FROM person_consents WHERE person_id = ?", {g}));
    PASIP_TRY(c->Execute("DELETE FROM person_follows WHERE person_id = ?", {g}));
    PASIP_TRY(c->Execute("DELETE FROM person_keys WHERE person_id = ?", {g}));
    PASIP_TRY(c->Execute(
        "DELETE FROM person_merges WHERE kept_person_id = ? OR absorbed_person_id = ?", {g, g}));
    PASIP_TRY(c->Execute("DELETE FROM persons WHERE id = ?", {g}));
  }
  PASIP_TRY(c->Execute("INSERT INTO purge_log (purged_id, at, mode, bundle) VALUES (?, ?, ?, ?)",
                       {id, log.at, reception::PurgeModeName(log.mode), log.bundle}));
  return tx.Commit();
}

Result<std::vector<PurgeLogEntry>> SqlReceptionStore::PurgeLog(int limit) {
  std::vector<PurgeLogEntry> out;
  if (limit <= 0) return out;
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  PASIP_ASSIGN_OR_RETURN(rows, c->Query(std::string("SELECT ") + kPurgeLogReadColumns +
                                            " FROM purge_log ORDER BY id DESC LIMIT ?",
                                        {limit}));
  for (const Row& row : rows) {
    PurgeLogEntry e;
    e.id = row.Int(0);
    e.person_id = row.Int(1);
    e.at = row.Time(2);
    e.mode = reception::ParsePurgeMode(row.Text(3)).value_or(reception::PurgeMode::kAnonymise);
    e.bundle = row.Text(4);
    out.push_back(std::move(e));
  }
  return out;
}

// --- Right of access ---------------------------------------------------------------------

Result<PersonExport> SqlReceptionStore::ExportPerson(PersonId id) {
  PASIP_ASSIGN_OR_RETURN(c, db_.Acquire());
  // One snapshot: the sections agree with each other.
  PASIP_ASSIGN_OR_RETURN(tx, Transaction::Begin(*c, Transaction::Mode::kRead));
  PASIP_ASSIGN_OR_RETURN(row, c->QueryOne(std::string("SELECT ") + kPersonReadColumns +
                                              " FROM persons p WHERE p.id = ?",
                                          {id}));
  if (!row) return Fail(PersonNotFound());
  PersonExport out;
  out.person = ToPerson(*row);
  PASIP_ASSIGN_OR_RETURN(follows, c->Query(std::string("SELECT ") + kFollowReadColumns +
                                               " FROM person_follows WHERE person_id = ? "
                                               "ORDER BY since, organisation_id",
                                           {id}));
  for (const Row& r : follows) out.follows.push_back(ToFollow(r));
  PASIP_ASSIGN_OR_RETURN(passages, c->Query(std::string("SELECT ") + kPassageReadColumns +
                                                " FROM passages WHERE person_id = ? "
                                                "ORDER BY debut, id",
                                            {id}));
  PASIP_ASSIGN_OR_RETURN(loaded, LoadPassages(*c, passages));
  out.passages = std::move(loaded);
  PASIP_ASSIGN_OR_RETURN(notes, c->Query(std::string("SELECT ") + kNoteReadColumns +
                                             " FROM person_notes WHERE person_id = ? "
                                             "ORDER BY created_at, id",
                                         {id}));
  for (const Row& r : notes) out.notes.push_back(ToNote(r));
  PASIP_ASSIGN_OR_RETURN(consents, c->Query(std::string("SELECT ") + kConsentReadColumns +
                                                " FROM person_consents WHERE person_id = ? "
                                                "ORDER BY given_at, id",
                                            {id}));
  for (const Row& r : consents) out.consents.push_back(ToConsent(r));
  PASIP_ASSIGN_OR_RETURN(tickets, c->Query(std::string("SELECT ") + kTicketReadColumns +
                                               " FROM tickets WHERE person_id = ? "
                                               "ORDER BY arrivee, id",
                                           {id}));
  for (const Row& r : tickets) out.tickets.push_back(ToTicket(r));
  PASIP_ASSIGN_OR_RETURN(merges, c->Query("SELECT absorbed_person_id FROM person_merges "
                                          "WHERE kept_person_id = ? ORDER BY at, "
                                          "absorbed_person_id",
                                          {id}));
  for (const Row& r : merges) out.merged_from.push_back(r.Int(0));
  PASIP_TRY(ExportOrientationsOf(*c, id, out.autres));
  PASIP_TRY(tx.Commit());
  return out;
}

}  // namespace pasip::storage
