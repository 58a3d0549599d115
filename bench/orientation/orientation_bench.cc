// The orientation benchmark's program (bench/orientation/run.sh drives it), three commands:
//
//   pasip_orientation_bench sample --out FILE
//     writes the bytes pasip hands to the SMTP server for one bench e-mail (BuildRfc5322 of a
//     "new orientation" notice with a signed link, as the use case composes it), so that the
//     reference sender (smtp_reference.py) sends messages of the same size.
//
//   pasip_orientation_bench mail --database URL --port P --messages N
//     enqueues N such messages in the SQL outbox (SqlOutboxStore::Enqueue, one durable write
//     each), then times mail::Delivery::RunOnce loops with mail::SmtpTransport (no STARTTLS)
//     to 127.0.0.1:P until all N are sent. Prints "messages=… enqueue_per_s=… seconds=…
//     per_s=… batches=…"; fails when a message is retried or refused, or when the outbox held
//     unsent messages before.
//
//   pasip_orientation_bench data --database URL [--orientations M] [--apply K] [--queries Q]
//                                [--runs R]
//     loads M orientations (when the database holds none: the first K through
//     SqlOrientationStore::Apply, timed, the rest through Connection::BulkInsert, COPY on
//     PostgreSQL, because one Apply per orientation, a durable transaction each, would take
//     minutes), checks that rows of both paths read back equal to what was generated, then
//     times, one query at a time:
//       - the partner inbox (List, one recipient organisation, 51 newest), the same with the
//         "rendez-vous" status filter (rdv_propose, rdv_fixe), its second page (keyset), the
//         agent list (orienting organisation, 51 newest), and the reference: the bare
//         SELECT id … WHERE recipient_organisation_id = ? ORDER BY id DESC LIMIT 51, through
//         the same Database API, interleaved (Q each, after Q/10 of warm-up);
//       - the reminders sweep Due(now, 200) with 1 % of the orientations due, against the
//         reference SELECT count(*) FROM orientations (the whole table);
//       - MeasureRows over one year, whole territory (all M rows), R runs after one warm-up,
//         against the reference: the same rows and columns read without the two EXISTS on
//         the history.
//     Latencies print as "<name> queries=… p50_ms=… p90_ms=… p99_ms=… max_ms=… mean_ms=…
//     results=…".
//
// The data: 5 orienting organisations of 4 sites each (20 sites, one agent each), 50 recipient
// organisations (2 services each), 20 000 persons (80 % of orientations name one and share
// two fields), sent_at evenly spread over the year before a fixed "now" (2026-01-01T00:00Z),
// ids in sent order; statuses by age (the last 30 days mostly awaiting an answer or in
// progress, older ones mostly with an outcome), no drafts; 2 history events each. Every
// 100th orientation awaits an answer with its reminder past due (the 1 % Due finds); the other
// awaiting ones have their reminder and expiry after "now". Random numbers come from
// splitmix64 (the same on every standard library).
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "core/crypto.h"
#include "domain/mail/mail.h"
#include "domain/orientation/links.h"
#include "domain/orientation/model.h"
#include "mail/smtp_transport.h"
#include "storage/identity_repository.h"
#include "storage/migrations.h"
#include "storage/orientation_repository.h"
#include "storage/outbox_repository.h"

namespace pasip::bench {
namespace {

using orientation::Event;
using orientation::Orientation;
using orientation::SharedValue;
using storage::Database;
using storage::Transaction;
using storage::Value;
using OStatus = orientation::Status;
using Json = nlohmann::json;
using Clock = std::chrono::steady_clock;

class Random {
 public:
  explicit Random(std::uint64_t seed) : state_(seed) {}
  std::uint64_t Next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  std::size_t Below(std::size_t n) {
    return static_cast<std::size_t>((Next() >> 11) * 0x1.0p-53 * static_cast<double>(n));
  }

 private:
  std::uint64_t state_;
};

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

int Failed(const Error& e) {
  std::fprintf(stderr, "%s\n", e.ToString().c_str());
  return 1;
}

Result<std::unique_ptr<Database>> Open(const std::string& url) {
  PASIP_ASSIGN_OR_RETURN(db, storage::OpenDatabase(url, {.max_connections = 4}));
  PASIP_TRY(storage::Migrate(*db, storage::Series::kMain));
  return db;
}

Result<std::int64_t> CountOf(Database& db, std::string_view sql, storage::Params params = {}) {
  PASIP_ASSIGN_OR_RETURN(c, db.Acquire());
  PASIP_ASSIGN_OR_RETURN(row, c->QueryOne(sql, params));
  return row ? row->Int(0) : 0;
}

// Latencies of one measure, printed on one line.
struct Latencies {
  std::vector<double> ms;
  std::size_t results = 0;

  void Print(const char* name) const {
    std::vector<double> sorted = ms;
    std::sort(sorted.begin(), sorted.end());
    const auto at = [&](double q) {
      return sorted[std::min(sorted.size() - 1, static_cast<std::size_t>(q * sorted.size()))];
    };
    double sum = 0;
    for (double v : sorted) sum += v;
    std::printf(
        "%s queries=%zu p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f max_ms=%.3f mean_ms=%.3f "
        "results=%zu\n",
        name, sorted.size(), at(0.5), at(0.9), at(0.99), sorted.back(), sum / sorted.size(),
        results);
  }
};

// Times `work` (which answers the number of results, or an error) into `into` unless warming
// up.
template <typename Work>
Status Timed(Latencies& into, bool warm_up, Work work) {
  const auto t0 = Clock::now();
  auto found = work();
  const double elapsed = Ms(Clock::now() - t0);
  if (!found) return Fail(found.error());
  if (!warm_up) {
    into.ms.push_back(elapsed);
    into.results += *found;
  }
  return Ok();
}

// ---------------------------------------------------------------------------------------
// E-mail delivery.

constexpr char kFrom[] = "ne-pas-repondre@pasip.example";
constexpr char kTo[] = "accueil@mission-locale-artois.example";

// A "new orientation" notice to a partner without an account, as orientation.cc composes it
// (no personal data: the number, the service and a signed link).
mail::Message BenchMessage(std::int64_t n, TimePoint now) {
  const TimePoint expires = now + std::chrono::days(14);
  const std::string number = "n° " + std::to_string(n);
  mail::Message m;
  m.to = kTo;
  m.kind = "orientation.nouvelle";
  m.ref = "orientation:" + std::to_string(n);
  m.subject = "[pasip] Nouvelle orientation " + number;
  m.body = "Bonjour,\n\nCCAS de Lens vous adresse une orientation (" + number +
           ") pour le service « Accompagnement vers l'emploi des jeunes » (Mission locale de "
           "l'Artois).\n\nPour la consulter et y répondre, ouvrez ce lien :\n"
           "http://127.0.0.1:8080/lien/" +
           orientation::SignLink(std::string(32, 'k'), n, kTo, expires) +
           "\n\nAvant tout affichage, un code à usage unique sera envoyé à cette adresse. Ce "
           "lien est valable jusqu'au " +
           FormatParis(expires).substr(0, 10) +
           ".\n\n-- \npasip\nCet e-mail ne contient aucune donnée sur la personne orientée : "
           "elles ne s'affichent qu'après connexion.\n";
  m.created_at = now;
  m.next_attempt_at = now;
  return m;
}

int Sample(const std::string& out) {
  mail::Message m = BenchMessage(1000, std::chrono::system_clock::now());
  m.id = 1000;
  const std::string bytes = mail::BuildRfc5322(m, kFrom, std::chrono::system_clock::now());
  std::ofstream file(out, std::ios::binary);
  file << bytes;
  if (!file) return std::fprintf(stderr, "impossible d'écrire %s\n", out.c_str()), 1;
  std::printf("bytes=%zu from=%s to=%s\n", bytes.size(), kFrom, kTo);
  return 0;
}

int Mail(const std::string& url, int port, int messages) {
  auto db = Open(url);
  if (!db) return Failed(db.error());
  // Only our messages may be sent: the server's count is checked against N.
  auto unsent = CountOf(**db, "SELECT COUNT(*) FROM mail_outbox WHERE state <> ?",
                        {mail::MessageStateName(mail::MessageState::kSent)});
  if (!unsent) return Failed(unsent.error());
  if (*unsent != 0) {
    return std::fprintf(stderr, "la file d'envoi contient déjà %lld messages non envoyés\n",
                        static_cast<long long>(*unsent)),
           1;
  }
  storage::SqlOutboxStore outbox(**db);
  const TimePoint now = std::chrono::system_clock::now();
  const auto e0 = Clock::now();
  for (int i = 0; i < messages; ++i) {
    auto queued = outbox.Enqueue(BenchMessage(10000 + i, now));
    if (!queued) return Failed(queued.error());
  }
  const double enqueue_s = Ms(Clock::now() - e0) / 1000;

  mail::SmtpSettings smtp;
  smtp.host = "127.0.0.1";
  smtp.port = static_cast<std::uint16_t>(port);
  smtp.starttls = false;
  mail::SmtpTransport transport(smtp);
  SystemClock clock;
  mail::Delivery delivery(outbox, transport, clock, kFrom);
  int sent = 0, batches = 0;
  const auto t0 = Clock::now();
  while (sent < messages) {
    auto report = delivery.RunOnce();
    if (!report) return Failed(report.error());
    ++batches;
    if (report->retried != 0 || report->failed != 0) {
      auto recent = outbox.Recent("", 1);
      std::fprintf(stderr, "%d message(s) réessayé(s), %d refusé(s) : %s\n", report->retried,
                   report->failed,
                   recent && !recent->empty() ? recent->front().last_error.c_str() : "?");
      return 1;
    }
    if (report->sent == 0) return std::fprintf(stderr, "plus rien à envoyer à %d\n", sent), 1;
    sent += report->sent;
  }
  const double seconds = Ms(Clock::now() - t0) / 1000;
  auto marked = CountOf(**db, "SELECT COUNT(*) FROM mail_outbox WHERE state = ?",
                        {mail::MessageStateName(mail::MessageState::kSent)});
  if (!marked) return Failed(marked.error());
  std::printf(
      "messages=%d enqueue_per_s=%.0f seconds=%.3f per_s=%.1f batches=%d outbox_sent_total=%lld\n",
      sent, messages / enqueue_s, seconds, sent / seconds, batches,
      static_cast<long long>(*marked));
  return 0;
}

// ---------------------------------------------------------------------------------------
// Orientations at scale.

constexpr std::int64_t kHour = 3600;
constexpr std::int64_t kDay = 24 * kHour;
constexpr std::int64_t kYear = 365 * kDay;
constexpr std::int64_t kNow = 1767225600;  // 2026-01-01T00:00:00Z
constexpr int kOrienting = 5, kSitesPerOrganisation = 4, kRecipients = 50;
constexpr std::int64_t kPersons = 20000;

struct World {
  std::vector<identity::OrganisationId> orienting;  // 5
  std::vector<identity::SiteId> sites;              // 20, 4 per orienting organisation
  std::vector<identity::OrganisationId> site_organisation;
  std::vector<identity::UserId> agents;              // one per site
  std::vector<identity::OrganisationId> recipients;  // 50
};

Result<std::vector<std::int64_t>> Ids(Database& db, std::string_view sql) {
  PASIP_ASSIGN_OR_RETURN(c, db.Acquire());
  PASIP_ASSIGN_OR_RETURN(rows, c->Query(sql));
  std::vector<std::int64_t> out;
  for (const storage::Row& r : rows) out.push_back(r.Int(0));
  return out;
}

// BulkInsert of rows made by make(i, rows) for i in [from, to), `chunk` items a transaction.
template <typename Make>
Status Load(Database& db, const char* table, const std::vector<std::string>& columns,
            std::int64_t from, std::int64_t to, std::int64_t chunk, Make make) {
  PASIP_ASSIGN_OR_RETURN(c, db.Acquire());
  for (std::int64_t start = from; start < to; start += chunk) {
    std::vector<std::vector<Value>> rows;
    for (std::int64_t i = start; i < std::min(to, start + chunk); ++i) make(i, rows);
    PASIP_ASSIGN_OR_RETURN(tx, Transaction::Begin(*c));
    PASIP_TRY(c->BulkInsert(table, columns, rows));
    PASIP_TRY(tx.Commit());
  }
  return Ok();
}

std::string PersonName(std::int64_t n) {
  static const char* const kFirst[] = {"Jean", "Marie", "Karim", "Nadia", "Léa", "Moussa"};
  static const char* const kLast[] = {"Martin", "Dubois", "Haddad", "Lefèvre", "Diallo", "Roux"};
  return std::string(kFirst[n % 6]) + " " + kLast[(n / 6) % 6] + " " + std::to_string(n);
}

// The organisations, sites, agents and persons the orientations refer to: created when the
// database has none, else read back (in id order, as created).
Result<World> EnsureWorld(Database& db) {
  World w;
  PASIP_ASSIGN_OR_RETURN(orgs, Ids(db, "SELECT id FROM organisations ORDER BY id"));
  if (orgs.empty()) {
    storage::SqlIdentityStore identity(db);
    const TimePoint now = FromUnixSeconds(kNow - kYear);
    for (int o = 0; o < kOrienting + kRecipients; ++o) {
      identity::Organisation org;
      org.name = o < kOrienting ? "CCAS " + std::to_string(o + 1)
                                : "Partenaire " + std::to_string(o - kOrienting + 1);
      org.kind = "ccas-cias";
      org.created_at = now;
      PASIP_ASSIGN_OR_RETURN(created, identity.CreateOrganisation(org));
      orgs.push_back(created.id);
      if (o >= kOrienting) continue;
      for (int s = 0; s < kSitesPerOrganisation; ++s) {
        identity::Site site;
        site.organisation_id = created.id;
        site.name = "Accueil " + std::to_string(s + 1);
        site.commune_code = "62498";
        PASIP_TRY(identity.CreateSite(site));
        identity::User u;
        u.email = "agent" + std::to_string(o * kSitesPerOrganisation + s + 1) + "@example.org";
        u.display_name = "Agent " + std::to_string(o * kSitesPerOrganisation + s + 1);
        u.password_hash = "x";
        PASIP_TRY(identity.CreateUser(u));
      }
    }
    const std::int64_t at = kNow - kYear;
    PASIP_TRY(
        Load(db, "persons",
             {"id", "nom_affiche", "telephone", "created_at", "updated_at", "dernier_contact"}, 0,
             kPersons, 20000, [&](std::int64_t i, std::vector<std::vector<Value>>& rows) {
               rows.push_back({i + 1, PersonName(i + 1),
                               "06" + std::to_string(10000000 + i * 37 % 89999999), at, at, at});
             }));
  }
  if (orgs.size() < static_cast<std::size_t>(kOrienting + kRecipients)) {
    return Fail(Internal("organisations manquantes : base d'un autre banc ?"));
  }
  w.orienting.assign(orgs.begin(), orgs.begin() + kOrienting);
  w.recipients.assign(orgs.begin() + kOrienting, orgs.begin() + kOrienting + kRecipients);
  PASIP_ASSIGN_OR_RETURN(sites, Ids(db, "SELECT id FROM sites ORDER BY id"));
  PASIP_ASSIGN_OR_RETURN(users, Ids(db, "SELECT id FROM users ORDER BY id"));
  if (sites.size() < kOrienting * kSitesPerOrganisation || users.size() < sites.size()) {
    return Fail(Internal("sites ou agents manquants"));
  }
  for (int s = 0; s < kOrienting * kSitesPerOrganisation; ++s) {
    w.sites.push_back(sites[s]);
    w.site_organisation.push_back(w.orienting[s / kSitesPerOrganisation]);
    w.agents.push_back(users[s]);
  }
  return w;
}

struct Synthetic {
  Orientation o;  // id 0
  std::vector<Event> events;
};

Event MakeEvent(std::int64_t at, orientation::UserId actor_id, const char* actor,
                orientation::Step step, OStatus from, OStatus to, std::string detail = "") {
  Event e;
  e.at = FromUnixSeconds(at);
  e.actor_id = actor_id;
  e.actor = actor;
  e.step = std::string(orientation::StepName(step));
  e.from = std::string(orientation::StatusName(from));
  e.to = std::string(orientation::StatusName(to));
  e.detail = std::move(detail);
  return e;
}

// Picks from `weights` (percentages summing to 100) with r.
OStatus Pick(Random& r, std::initializer_list<std::pair<OStatus, int>> weights) {
  int x = static_cast<int>(r.Below(100));
  for (const auto& [status, weight] : weights) {
    if (x < weight) return status;
    x -= weight;
  }
  return weights.begin()->first;
}

// Orientation number i (0-based) of m.
Synthetic Make(const World& w, std::int64_t i, std::int64_t m) {
  using S = OStatus;
  using St = orientation::Step;
  Random r(static_cast<std::uint64_t>(i) * 2654435761ULL + 11);
  const std::int64_t sent = kNow - kYear + i * kYear / m;
  const std::int64_t age = kNow - sent;
  const std::size_t s = r.Below(w.sites.size());
  const std::size_t k = r.Below(w.recipients.size());
  Orientation o;
  o.organisation_id = w.site_organisation[s];
  o.site_id = w.sites[s];
  o.created_by = w.agents[s];
  const bool named = r.Below(10) < 8;
  if (named) o.person_id = static_cast<std::int64_t>(1 + r.Below(kPersons));
  o.service_id = 1000 + static_cast<std::int64_t>(2 * k + r.Below(2));
  o.structure_id = 500 + static_cast<std::int64_t>(k);
  o.recipient_organisation_id = w.recipients[k];
  o.service_nom = o.service_id % 2 == 0 ? "Accompagnement vers l'emploi des jeunes"
                                        : "Accès aux droits et aide administrative";
  o.structure_nom = "Partenaire " + std::to_string(k + 1);
  o.referent_nom = r.Below(4) == 0 ? "Mme Référente " + std::to_string(k + 1) : "";
  o.destinataire_courriel = "accueil@partenaire-" + std::to_string(k + 1) + ".example";
  o.motifs = r.Below(2) == 0 ? std::vector<std::string>{"droits--rsa"}
                             : std::vector<std::string>{"droits--rsa", "urgence--alimentaire"};
  o.demande =
      "Ouverture des droits au RSA et accompagnement dans les démarches ; la personne "
      "dispose de ses justificatifs et souhaite un rendez-vous en matinée.";
  const std::size_t urgency = r.Below(20);
  o.urgence = urgency == 0 ? "danger_immediat" : urgency < 4 ? "urgente" : "aucune";
  if (r.Below(3) == 0) {
    o.mode = "accompagnee";
    o.accompagnement = "rdv_demande";
  }
  o.echeance = r.Below(2) == 0 ? "" : FormatIsoUtc(FromUnixSeconds(sent + 21 * kDay)).substr(0, 10);
  if (named) {
    const std::string name = PersonName(*o.person_id);
    o.champs_partages = {"nom_affiche", "telephone"};
    o.partage = {{"nom_affiche", name}, {"telephone", "0612345678"}};
    o.consentement = "informee";
  }

  const bool due = i % 100 == 0;
  if (due) {
    o.status = r.Below(2) == 0 ? S::kSent : S::kReceived;
  } else if (age < 30 * kDay) {
    o.status = Pick(r, {{S::kSent, 30},
                        {S::kReceived, 25},
                        {S::kAccepted, 15},
                        {S::kAppointmentProposed, 5},
                        {S::kAppointmentSet, 10},
                        {S::kRefused, 5},
                        {S::kReoriented, 3},
                        {S::kPersonReceived, 5},
                        {S::kCancelled, 2}});
  } else {
    o.status = Pick(r, {{S::kPersonReceived, 35},
                        {S::kNoShow, 10},
                        {S::kClosed, 20},
                        {S::kRefused, 8},
                        {S::kReoriented, 5},
                        {S::kCancelled, 5},
                        {S::kExpired, 10},
                        {S::kAccepted, 3},
                        {S::kAppointmentSet, 4}});
  }
  const std::int64_t created = sent - 600;
  const std::int64_t opened = sent + 2 * kHour + static_cast<std::int64_t>(r.Below(20)) * kHour;
  const std::int64_t answered = opened + static_cast<std::int64_t>(r.Below(72)) * kHour;
  const std::int64_t appointment = sent + 7 * kDay;
  o.sent_at = FromUnixSeconds(sent);
  o.created_at = FromUnixSeconds(created);
  std::int64_t last = sent;
  const orientation::UserId agent = o.created_by;
  std::vector<Event> events = {
      MakeEvent(sent, agent, "orientation", St::kSend, S::kDraft, S::kSent)};
  // The step that led to the status (actor_id 0: a partner through a link, or the system).
  const auto add = [&](std::int64_t at, const char* actor, St step, S from, std::string detail) {
    events.push_back(MakeEvent(at, std::string_view(actor) == "orientation" ? agent : 0, actor,
                               step, from, o.status, std::move(detail)));
    last = at;
  };
  if (o.status != S::kSent && o.status != S::kExpired) o.received_at = FromUnixSeconds(opened);
  switch (o.status) {
    case S::kSent: {  // still as sent: its creation is the other event
      Event creation = MakeEvent(created, agent, "orientation", St::kSend, S::kDraft, S::kDraft);
      creation.step = "creer";
      creation.from = "";
      events.insert(events.begin(), std::move(creation));
      break;
    }
    case S::kReceived:
      add(opened, "destinataire", St::kOpen, S::kSent, "");
      break;
    case S::kAccepted:
      add(answered, "destinataire", St::kAccept, S::kReceived, "");
      break;
    case S::kRefused:
      o.motif = "hors_competence";
      o.commentaire = "Relève du CCAS de la commune de résidence.";
      add(answered, "destinataire", St::kRefuse, S::kReceived, o.motif);
      break;
    case S::kReoriented:
      o.motif = "service_plus_adapte";
      add(answered, "destinataire", St::kReorient, S::kReceived, o.motif);
      break;
    case S::kAppointmentProposed:
    case S::kAppointmentSet:
      o.rdv_date = FromUnixSeconds(appointment);
      o.rdv_lieu = "12 rue de la République, Lens";
      add(answered, "destinataire",
          o.status == S::kAppointmentSet ? St::kSetAppointment : St::kProposeAppointment,
          S::kReceived, "rendez-vous");
      break;
    case S::kPersonReceived:
    case S::kNoShow:
      o.rdv_date = FromUnixSeconds(appointment);
      o.outcome_at = o.rdv_date;
      add(appointment, "destinataire",
          o.status == S::kPersonReceived ? St::kPersonReceived : St::kNoShow, S::kAppointmentSet,
          "");
      break;
    case S::kClosed:
      o.rdv_date = FromUnixSeconds(appointment);
      o.outcome_at = o.rdv_date;
      o.closed_at = FromUnixSeconds(appointment + kDay);
      add(appointment + kDay, "orientation", St::kClose, S::kPersonReceived, "");
      break;
    case S::kCancelled:
      o.motif = "personne_renonce";
      add(answered, "orientation", St::kCancel, S::kReceived, o.motif);
      break;
    case S::kExpired:
      add(sent + 30 * kDay, "systeme", St::kExpire, S::kSent, "");
      break;
    default:
      break;
  }
  // First answer: every status past the recipient's reading but expiry and cancellation.
  if (o.status != S::kSent && o.status != S::kReceived && o.status != S::kExpired &&
      o.status != S::kCancelled) {
    o.answered_at = FromUnixSeconds(answered);
  }
  if (orientation::AwaitsAnswer(o.status)) {
    if (due) {
      o.next_reminder_at =
          FromUnixSeconds(kNow - kHour - static_cast<std::int64_t>(r.Below(72)) * kHour);
      o.reminders = static_cast<int>(std::min<std::int64_t>(age / (10 * kDay), 2));
    } else {
      o.next_reminder_at =
          FromUnixSeconds(kNow + kHour + static_cast<std::int64_t>(r.Below(240)) * kHour);
    }
    o.expires_at =
        FromUnixSeconds(due ? sent + 30 * kDay : std::max(sent + 30 * kDay, kNow + kHour));
  }
  o.updated_at = FromUnixSeconds(last);
  std::stable_sort(events.begin(), events.end(),
                   [](const Event& a, const Event& b) { return a.at < b.at; });
  return {std::move(o), std::move(events)};
}

std::vector<std::string> OrientationColumns() {
  return {"id",
          "status",
          "organisation_id",
          "site_id",
          "created_by",
          "passage_id",
          "person_id",
          "service_id",
          "structure_id",
          "recipient_organisation_id",
          "service_nom",
          "structure_nom",
          "referent_nom",
          "destinataire_courriel",
          "motifs",
          "demande",
          "urgence",
          "mode",
          "accompagnement",
          "echeance",
          "champs_partages",
          "partage",
          "consentement",
          "consent_id",
          "sent_at",
          "received_at",
          "answered_at",
          "outcome_at",
          "closed_at",
          "expires_at",
          "next_reminder_at",
          "reminders",
          "motif",
          "commentaire",
          "rdv_date",
          "rdv_lieu",
          "origine_id",
          "reorientee_vers",
          "created_at",
          "updated_at",
          "version"};
}

// The row Apply would write for `o` (id given, version 1).
std::vector<Value> OrientationRow(const Orientation& o, std::int64_t id) {
  Json shared = Json::array();
  for (const SharedValue& v : o.partage)
    shared.push_back({{"champ", v.field}, {"valeur", v.value}});
  return {id,
          std::string(orientation::StatusName(o.status)),
          o.organisation_id,
          o.site_id,
          o.created_by,
          o.passage_id,
          o.person_id,
          o.service_id,
          o.structure_id,
          o.recipient_organisation_id,
          o.service_nom,
          o.structure_nom,
          o.referent_nom,
          o.destinataire_courriel,
          Json(o.motifs).dump(),
          o.demande,
          o.urgence,
          o.mode,
          o.accompagnement,
          o.echeance,
          Json(o.champs_partages).dump(),
          shared.dump(),
          o.consentement,
          o.consent_id,
          o.sent_at,
          o.received_at,
          o.answered_at,
          o.outcome_at,
          o.closed_at,
          o.expires_at,
          o.next_reminder_at,
          o.reminders,
          o.motif,
          o.commentaire,
          o.rdv_date,
          o.rdv_lieu,
          o.origine_id,
          o.reorientee_vers,
          o.created_at,
          o.updated_at,
          1};
}

// Reads orientation `id` back through the store and compares it with what was generated.
Status Verify(orientation::OrientationStore& store, const World& w, std::int64_t id,
              std::int64_t m) {
  Synthetic want = Make(w, id - 1, m);
  want.o.id = id;
  want.o.version = 1;
  PASIP_ASSIGN_OR_RETURN(found, store.Find(id));
  PASIP_ASSIGN_OR_RETURN(events, store.EventsOf(id));
  bool same = found && *found == want.o && events.size() == want.events.size();
  for (std::size_t e = 0; same && e < events.size(); ++e) {
    want.events[e].id = events[e].id;
    want.events[e].orientation_id = id;
    same = events[e] == want.events[e];
  }
  if (!same) {
    return Fail(Internal("l'orientation " + std::to_string(id) + " relue diffère de l'originale"));
  }
  return Ok();
}

// Loads m orientations when the database holds none; prints the "load" line.
Status EnsureOrientations(Database& db, const World& w, std::int64_t m, std::int64_t apply) {
  PASIP_ASSIGN_OR_RETURN(have, CountOf(db, "SELECT COUNT(*) FROM orientations"));
  if (have != 0) {
    if (have != m) {
      return Fail(Internal("la base contient " + std::to_string(have) + " orientations, pas " +
                           std::to_string(m)));
    }
    std::printf("load orientations=%lld already_loaded=1\n", static_cast<long long>(m));
    return Ok();
  }
  apply = std::clamp<std::int64_t>(apply, 1, m);
  std::fprintf(stderr, "chargement de %lld orientations (%lld par Apply)\n",
               static_cast<long long>(m), static_cast<long long>(apply));
  storage::SqlOrientationStore store(db);
  const auto t0 = Clock::now();
  for (std::int64_t i = 0; i < apply; ++i) {
    Synthetic s = Make(w, i, m);
    orientation::Write write;
    write.orientation = std::move(s.o);
    write.events = std::move(s.events);
    PASIP_ASSIGN_OR_RETURN(written, store.Apply(write));
    if (written.orientation.id != i + 1) {
      return Fail(Internal("identifiant inattendu " + std::to_string(written.orientation.id)));
    }
  }
  const double apply_s = Ms(Clock::now() - t0) / 1000;
  const auto b0 = Clock::now();
  PASIP_TRY(Load(db, "orientations", OrientationColumns(), apply, m, 20000,
                 [&](std::int64_t i, std::vector<std::vector<Value>>& rows) {
                   rows.push_back(OrientationRow(Make(w, i, m).o, i + 1));
                 }));
  PASIP_TRY(Load(
      db, "orientation_events",
      {"orientation_id", "at", "actor_id", "actor", "step", "from_status", "to_status", "detail"},
      apply, m, 20000, [&](std::int64_t i, std::vector<std::vector<Value>>& rows) {
        for (const Event& e : Make(w, i, m).events) {
          rows.push_back({i + 1, e.at, e.actor_id, e.actor, e.step, e.from, e.to, e.detail});
        }
      }));
  if (db.dialect() == storage::Dialect::kPostgres) {
    PASIP_ASSIGN_OR_RETURN(c, db.Acquire());
    // The ids were given: the identity continues after them; then fresh statistics.
    PASIP_TRY(c->ExecuteScript(
        "SELECT setval(pg_get_serial_sequence('orientations', 'id'), (SELECT max(id) FROM "
        "orientations)); ANALYZE orientations; ANALYZE orientation_events"));
  }
  const double bulk_s = Ms(Clock::now() - b0) / 1000;
  PASIP_ASSIGN_OR_RETURN(events, CountOf(db, "SELECT COUNT(*) FROM orientation_events"));
  // Both paths give the same rows.
  for (const std::int64_t id : {std::int64_t{1}, apply, apply + 1, (apply + m) / 2, m}) {
    if (id >= 1 && id <= m) PASIP_TRY(Verify(store, w, id, m));
  }
  std::printf(
      "load orientations=%lld events=%lld apply=%lld apply_per_s=%.0f bulk=%lld bulk_s=%.1f "
      "bulk_per_s=%.0f verified=1\n",
      static_cast<long long>(m), static_cast<long long>(events), static_cast<long long>(apply),
      apply / apply_s, static_cast<long long>(m - apply), bulk_s, (m - apply) / bulk_s);
  std::fprintf(stderr, "chargé en %.1f s\n", apply_s + bulk_s);
  return Ok();
}

// The reference of the list measures: the bare keyset read of one inbox's ids.
Result<std::size_t> ReferenceInbox(Database& db, identity::OrganisationId recipient) {
  PASIP_ASSIGN_OR_RETURN(c, db.Acquire());
  PASIP_ASSIGN_OR_RETURN(rows, c->Query("SELECT id FROM orientations WHERE "
                                        "recipient_organisation_id = ? ORDER BY id DESC LIMIT 51",
                                        {recipient}));
  return rows.size();
}

// The reference of the sweep: counting the whole table.
Result<std::size_t> ReferenceCount(Database& db) {
  PASIP_ASSIGN_OR_RETURN(c, db.Acquire());
  PASIP_ASSIGN_OR_RETURN(rows, c->Query("SELECT count(*) FROM orientations"));
  return static_cast<std::size_t>(rows.front().Int(0));
}

// The reference of the measures: the same rows and columns, without the history.
Result<std::size_t> ReferenceMeasures(Database& db, TimePoint from, TimePoint to) {
  PASIP_ASSIGN_OR_RETURN(c, db.Acquire());
  PASIP_ASSIGN_OR_RETURN(
      rows, c->Query("SELECT id, organisation_id, site_id, recipient_organisation_id, service_id, "
                     "service_nom, status, sent_at, answered_at FROM orientations WHERE sent_at "
                     ">= ? AND sent_at < ? ORDER BY sent_at, id",
                     {from, to}));
  return rows.size();
}

int Data(const std::string& url, std::int64_t m, std::int64_t apply, int queries, int runs) {
  auto db = Open(url);
  if (!db) return Failed(db.error());
  auto w = EnsureWorld(**db);
  if (!w) return Failed(w.error());
  if (auto loaded = EnsureOrientations(**db, *w, m, apply); !loaded) return Failed(loaded.error());
  std::fflush(stdout);
  storage::SqlOrientationStore store(**db);

  // The id that starts each inbox's second page (the 50th of the first), untimed.
  std::vector<std::optional<orientation::OrientationId>> second_page(w->recipients.size());
  for (std::size_t k = 0; k < w->recipients.size(); ++k) {
    orientation::ListQuery q;
    q.recipient = {w->recipients[k]};
    q.limit = 51;
    auto first = store.List(q);
    if (!first) return Failed(first.error());
    if (first->size() == 51) second_page[k] = (*first)[49].id;
  }

  std::fprintf(stderr, "listes : %d requêtes de chaque sorte\n", queries);
  Latencies inbox, inbox_rdv, inbox_page2, agent, reference;
  Random r(42);
  const auto listed = [&](const orientation::ListQuery& q) -> Result<std::size_t> {
    PASIP_ASSIGN_OR_RETURN(rows, store.List(q));
    return rows.size();
  };
  for (int q = -queries / 10; q < queries; ++q) {
    const bool warm_up = q < 0;
    const std::size_t k = r.Below(w->recipients.size());
    const identity::OrganisationId recipient = w->recipients[k];
    const identity::OrganisationId orienting = w->orienting[r.Below(w->orienting.size())];
    orientation::ListQuery first;
    first.recipient = {recipient};
    first.limit = 51;
    orientation::ListQuery rdv = first;
    rdv.statuses = {OStatus::kAppointmentProposed, OStatus::kAppointmentSet};
    orientation::ListQuery page2 = first;
    page2.before_id = second_page[k];
    orientation::ListQuery sent;
    sent.orienting = {orienting};
    sent.limit = 51;
    // The five in turn, starting with a different one each time.
    for (int j = 0; j < 5; ++j) {
      Status done = Ok();
      switch ((q + queries + j) % 5) {
        case 0:
          done = Timed(reference, warm_up, [&] { return ReferenceInbox(**db, recipient); });
          break;
        case 1:
          done = Timed(inbox, warm_up, [&] { return listed(first); });
          break;
        case 2:
          done = Timed(inbox_rdv, warm_up, [&] { return listed(rdv); });
          break;
        case 3:
          done = Timed(inbox_page2, warm_up, [&] { return listed(page2); });
          break;
        default:
          done = Timed(agent, warm_up, [&] { return listed(sent); });
      }
      if (!done) return Failed(done.error());
    }
  }
  inbox.Print("inbox");
  inbox_rdv.Print("inbox_rdv");
  inbox_page2.Print("inbox_page2");
  agent.Print("agent");
  reference.Print("reference_inbox");
  std::fflush(stdout);

  std::fprintf(stderr, "rappels : %d requêtes Due\n", queries);
  Latencies due, count;
  for (int q = -queries / 10; q < queries; ++q) {
    const auto sweep = [&]() -> Result<std::size_t> {
      PASIP_ASSIGN_OR_RETURN(rows, store.Due(FromUnixSeconds(kNow), 200));
      return rows.size();
    };
    Status a = Ok(), b = Ok();
    if (q % 2 == 0) {
      a = Timed(due, q < 0, sweep);
      b = Timed(count, q < 0, [&] { return ReferenceCount(**db); });
    } else {
      b = Timed(count, q < 0, [&] { return ReferenceCount(**db); });
      a = Timed(due, q < 0, sweep);
    }
    if (!a) return Failed(a.error());
    if (!b) return Failed(b.error());
  }
  due.Print("due");
  count.Print("reference_count");
  std::fflush(stdout);

  std::fprintf(stderr, "mesures : %d passages sur l'année\n", runs);
  Latencies measures, bare;
  orientation::MeasureQuery year;
  year.from = FromUnixSeconds(kNow - kYear);
  year.to = FromUnixSeconds(kNow);
  for (int run = -1; run < runs; ++run) {
    Status a = Timed(measures, run < 0, [&]() -> Result<std::size_t> {
      PASIP_ASSIGN_OR_RETURN(rows, store.MeasureRows(year));
      return rows.size();
    });
    if (!a) return Failed(a.error());
    Status b = Timed(bare, run < 0, [&] { return ReferenceMeasures(**db, year.from, year.to); });
    if (!b) return Failed(b.error());
  }
  measures.Print("measures");
  bare.Print("reference_measures");
  return 0;
}

}  // namespace
}  // namespace pasip::bench

int main(int argc, char** argv) {
  pasip::crypto::InitCrypto();
  CLI::App app{"Banc d'essai des orientations (bench/orientation/run.sh)"};
  app.require_subcommand(1);
  std::string url, out;
  int port = 0, messages = 2000, queries = 500, runs = 5;
  std::int64_t orientations = 100000, apply = 2000;
  auto* sample = app.add_subcommand("sample", "écrit un message tel qu'envoyé au serveur SMTP");
  sample->add_option("--out", out)->required();
  auto* mail = app.add_subcommand("mail", "débit d'envoi de la file de courriels");
  mail->add_option("--database", url)->required();
  mail->add_option("--port", port)->required();
  mail->add_option("--messages", messages);
  auto* data = app.add_subcommand("data", "boîte partenaire, liste, rappels et mesures");
  data->add_option("--database", url)->required();
  data->add_option("--orientations", orientations);
  data->add_option("--apply", apply);
  data->add_option("--queries", queries);
  data->add_option("--runs", runs);
  CLI11_PARSE(app, argc, argv);
  if (*sample) return pasip::bench::Sample(out);
  if (*mail) return pasip::bench::Mail(url, port, messages);
  return pasip::bench::Data(url, orientations, apply, queries, runs);
}
