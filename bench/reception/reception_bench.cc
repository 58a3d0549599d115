// The reception benchmark's program (bench/reception/run.sh drives it), three commands:
//
//   pasip_reception_bench writes --database URL [--threads N] [--seconds S]
//     durable writes: N threads each run one CreatePassage per transaction (an anonymous
//     passage with two motives and two acts) for S seconds, after the same threads ran, for
//     S seconds too (interleaved halves after a warm-up), the reference: one INSERT of one row of
//     similar width (19 columns, no index but the key, no foreign key) per transaction through the
//     same Database API. Prints "writes_per_s=… reference_per_s=… ratio=… durability=…".
//
//   pasip_reception_bench search --database URL --persons N [--queries Q]
//     loads N synthetic persons (deterministic French names, their matching keys, one
//     follow each) when the database holds fewer, then times Q FindByKeys calls with the
//     keys matching.h gives for the name of a person drawn at random (KeysForSearch).
//
//   pasip_reception_bench timeline --database URL --passages N [--persons P] [--queries Q]
//     loads N passages (60 % named, spread over the first P persons, which must exist:
//     run `search` first) when the database holds fewer, then times Q ListPassages calls
//     for one person, limit 50.
//
// Latencies print as "p50_ms=… p90_ms=… p99_ms=… max_ms=… mean_ms=… results=…". Loads go
// through Connection::BulkInsert (COPY on PostgreSQL) in transactions of 50 000 rows.
// Random numbers come from splitmix64 (the same on every standard library).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>

#include "core/crypto.h"
#include "domain/reception/matching.h"
#include "storage/identity_repository.h"
#include "storage/migrations.h"
#include "storage/reception_repository.h"

namespace pasip::bench {
namespace {

using storage::Database;
using storage::Transaction;
using storage::Value;
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

const std::vector<std::string> kSurnames = {
    "Martin",    "Bernard",  "Thomas",   "Petit",    "Robert",   "Richard",   "Durand",
    "Dubois",    "Moreau",   "Laurent",  "Simon",    "Michel",   "Lefebvre",  "Leroy",
    "Roux",      "David",    "Bertrand", "Morel",    "Fournier", "Girard",    "Bonnet",
    "Dupont",    "Lambert",  "Fontaine", "Rousseau", "Vincent",  "Muller",    "Lefevre",
    "Faure",     "Andre",    "Mercier",  "Blanc",    "Guerin",   "Boyer",     "Garnier",
    "Chevalier", "Francois", "Legrand",  "Gauthier", "Garcia",   "Perrin",    "Robin",
    "Clement",   "Morin",    "Nicolas",  "Henry",    "Roussel",  "Mathieu",   "Gautier",
    "Masson",    "Marchand", "Duval",    "Denis",    "Dumont",   "Marie",     "Lemaire",
    "Noel",      "Meyer",    "Dufour",   "Meunier",  "Brun",     "Blanchard", "Giraud",
    "Joly",      "Riviere",  "Lucas",    "Brunet",   "Gaillard", "Barbier",   "Arnaud",
    "Martinez",  "Gerard",   "Roche",    "Renard",   "Schmitt",  "Roy",       "Leroux",
    "Colin",     "Vidal",    "Caron",    "Picard",   "Roger",    "Fabre",     "Aubert",
    "Lemoine",   "Renaud",   "Dumas",    "Lacroix",  "Olivier",  "Philippe",  "Bourgeois",
    "Pierre",    "Benoit",   "Rey",      "Leclerc",  "Payet",    "Rolland",   "Leclercq",
    "Guillaume", "Lecomte",  "Diallo",   "Traore",   "Nguyen",   "Benali",    "N'Diaye",
    "Ben Ahmed", "Haddad",   "Da Silva", "Ferreira", "Lopez",    "Sanchez",   "Kone"};
const std::vector<std::string> kSyllables = {
    "ber", "lan", "mar",  "tin",  "dou",  "ric", "ville", "court", "mont", "ard",
    "gal", "lou", "vel",  "rou",  "chan", "pel", "bois",  "fort",  "mas",  "sal",
    "cas", "tel", "nier", "quet", "rat",  "bel", "gi",    "lo",    "dé",   "ma"};
const std::vector<std::string> kFirstNames = {
    "Jean",       "Marie",   "Pierre",    "Nathalie",  "Michel",    "Isabelle",    "Philippe",
    "Sylvie",     "Alain",   "Catherine", "Patrick",   "Françoise", "Nicolas",     "Sandrine",
    "Christophe", "Valérie", "Laurent",   "Christine", "Stéphane",  "Céline",      "David",
    "Aurélie",    "Julien",  "Émilie",    "Thomas",    "Camille",   "Lucas",       "Léa",
    "Hugo",       "Chloé",   "Mohamed",   "Fatima",    "Ahmed",     "Aïcha",       "Karim",
    "Nadia",      "Moussa",  "Aminata",   "Yanis",     "Inès",      "Jean-Pierre", "Marie-Claire",
    "Kevin",      "Jessica", "Dylan",     "Manon",     "Enzo",      "Sarah",       "Mathéo",
    "Jade",       "Louis",   "Emma",      "Gabriel",   "Louise",    "Arthur",      "Alice",
    "Jules",      "Lina",    "Adam",      "Rose"};

// A deterministic person: a common surname half the time, else one of ~27,000 made of
// syllables; a first name; a birth date between 1940 and 2007.
reception::Person SyntheticPerson(std::uint64_t n) {
  Random r(n * 7919 + 17);
  reception::Person p;
  std::string surname;
  if (r.Below(2) == 0) {
    surname = kSurnames[r.Below(kSurnames.size())];
  } else {
    const std::size_t parts = 2 + r.Below(2);
    for (std::size_t i = 0; i < parts; ++i) surname += kSyllables[r.Below(kSyllables.size())];
    surname[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(surname[0])));
  }
  p.nom_naissance = surname;
  p.prenoms = kFirstNames[r.Below(kFirstNames.size())];
  p.nom_affiche = p.prenoms + " " + surname;
  char date[48];
  std::snprintf(date, sizeof date, "%04d-%02d-%02d", 1940 + static_cast<int>(r.Below(68)),
                1 + static_cast<int>(r.Below(12)), 1 + static_cast<int>(r.Below(28)));
  p.date_naissance = date;
  if (r.Below(3) == 0) {
    char phone[32];
    std::snprintf(phone, sizeof phone, "06%08llu",
                  static_cast<unsigned long long>(r.Below(100000000)));
    p.telephone = phone;
  }
  return p;
}

// p50/p90/p99 of `ms`, in a line.
void PrintLatencies(std::vector<double> ms, std::size_t results) {
  std::sort(ms.begin(), ms.end());
  const auto at = [&](double q) {
    return ms[std::min(ms.size() - 1, static_cast<std::size_t>(q * ms.size()))];
  };
  double sum = 0;
  for (double v : ms) sum += v;
  std::printf(
      "queries=%zu p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f max_ms=%.3f mean_ms=%.3f results=%zu\n",
      ms.size(), at(0.5), at(0.9), at(0.99), ms.back(), sum / ms.size(), results);
}

// Writes refused because SQLite's lock stayed taken past the driver's busy timeout (the
// waiting writer sleeps and others take the lock first): retried, and counted in the output.
std::atomic<std::int64_t> busy_retries{0};

bool Report(const Error& e) {
  std::fprintf(stderr, "%s\n", e.ToString().c_str());
  return false;
}

// Runs `write` again while it fails with kUnavailable (busy), at most 10 times.
template <typename Write>
bool Retrying(Write write) {
  for (int attempt = 0;; ++attempt) {
    auto result = write();
    if (result) return true;
    if (result.error().code != ErrorCode::kUnavailable || attempt == 10) {
      return Report(result.error());
    }
    ++busy_retries;
  }
}

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

struct Fixture {
  identity::OrganisationId organisation = 0;
  identity::SiteId site = 0;
  identity::UserId user = 0;
};

// The organisation, site and user the rows refer to: the first of each, created when absent.
Result<Fixture> EnsureFixture(Database& db) {
  PASIP_ASSIGN_OR_RETURN(c, db.Acquire());
  PASIP_ASSIGN_OR_RETURN(row, c->QueryOne("SELECT MIN(id) FROM sites"));
  Fixture f;
  if (row && !row->IsNull(0)) {
    f.site = row->Int(0);
    PASIP_ASSIGN_OR_RETURN(o,
                           c->QueryOne("SELECT organisation_id FROM sites WHERE id = ?", {f.site}));
    f.organisation = o->Int(0);
    PASIP_ASSIGN_OR_RETURN(u, c->QueryOne("SELECT MIN(id) FROM users"));
    f.user = u->Int(0);
    return f;
  }
  storage::SqlIdentityStore identity(db);
  identity::Organisation o;
  o.name = "CCAS de Lens";
  o.kind = "ccas-cias";
  PASIP_ASSIGN_OR_RETURN(org, identity.CreateOrganisation(o));
  identity::Site s;
  s.organisation_id = org.id;
  s.name = "Accueil";
  s.commune_code = "62498";
  PASIP_ASSIGN_OR_RETURN(site, identity.CreateSite(s));
  identity::User u;
  u.email = "agent@example.org";
  u.display_name = "Agent";
  u.password_hash = "x";
  PASIP_ASSIGN_OR_RETURN(user, identity.CreateUser(u));
  return Fixture{org.id, site.id, user.id};
}

Result<std::unique_ptr<Database>> Open(const std::string& url) {
  PASIP_ASSIGN_OR_RETURN(db, storage::OpenDatabase(url, {.max_connections = 16}));
  PASIP_TRY(storage::Migrate(*db, storage::Series::kMain));
  return db;
}

reception::Passage BenchPassage(const Fixture& f, TimePoint at) {
  reception::Passage p;
  p.site_id = f.site;
  p.organisation_id = f.organisation;
  p.debut = at;
  p.canal = "physique_sans_rdv";
  p.agents = {f.user};
  p.motifs = {"droits--rsa", "urgence--alimentaire"};
  p.actes = {"ecoute", "information"};
  p.profil = {"26_44", "femme", "seul_enfants", "62498"};
  p.created_by = f.user;
  p.created_at = at;
  p.updated_at = at;
  return p;
}

// Runs `work` on `threads` threads for `seconds`; answers the operations per second.
template <typename Work>
Result<double> Throughput(int threads, double seconds, Work work) {
  std::atomic<std::int64_t> done{0};
  std::atomic<bool> failed{false};
  std::vector<std::thread> pool;
  const auto end = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                      std::chrono::duration<double>(seconds));
  const auto start = Clock::now();
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      std::int64_t i = 0;
      while (Clock::now() < end && !failed) {
        if (!work(t, i++)) {
          failed = true;
          return;
        }
        ++done;
      }
    });
  }
  for (auto& th : pool) th.join();
  if (failed) return Fail(Internal("une écriture a échoué"));
  return done.load() / std::chrono::duration<double>(Clock::now() - start).count();
}

int Writes(const std::string& url, int threads, double seconds) {
  auto db = Open(url);
  if (!db) return std::fprintf(stderr, "%s\n", db.error().ToString().c_str()), 1;
  auto f = EnsureFixture(**db);
  if (!f) return std::fprintf(stderr, "%s\n", f.error().ToString().c_str()), 1;
  std::string durability;
  {
    auto c = (*db)->Acquire();
    if ((*db)->dialect() == storage::Dialect::kSqlite) {
      auto sync = (*c)->QueryOne("PRAGMA synchronous");
      auto journal = (*c)->QueryOne("PRAGMA journal_mode");
      durability = "sqlite_synchronous=" + std::to_string((*sync)->Int(0)) +
                   "(2=FULL),journal_mode=" + (*journal)->Text(0);
    } else {
      auto sync = (*c)->QueryOne("SELECT current_setting('synchronous_commit')");
      auto fsync = (*c)->QueryOne("SELECT current_setting('fsync')");
      durability = "synchronous_commit=" + (*sync)->Text(0) + ",fsync=" + (*fsync)->Text(0);
    }
    // The same row width on both; the key is the rowid on SQLite, a BIGINT on PostgreSQL.
    auto created = (*c)->ExecuteScript(
        (*db)->dialect() == storage::Dialect::kSqlite
            ? "DROP TABLE IF EXISTS bench_reference; CREATE TABLE bench_reference (id INTEGER "
              "PRIMARY KEY, site_id BIGINT, organisation_id BIGINT, debut BIGINT, canal TEXT, "
              "agents TEXT, motifs TEXT, actes TEXT, urgence TEXT, langue TEXT, resultat TEXT, "
              "note TEXT, tranche_age TEXT, sexe TEXT, foyer TEXT, commune_code TEXT, nombre "
              "INTEGER, lot INTEGER, created_by BIGINT, created_at BIGINT)"
            : "DROP TABLE IF EXISTS bench_reference; CREATE TABLE bench_reference (id BIGINT "
              "PRIMARY KEY, site_id BIGINT, organisation_id BIGINT, debut BIGINT, canal TEXT, "
              "agents TEXT, motifs TEXT, actes TEXT, urgence TEXT, langue TEXT, resultat TEXT, "
              "note TEXT, tranche_age TEXT, sexe TEXT, foyer TEXT, commune_code TEXT, nombre "
              "INTEGER, lot INTEGER, created_by BIGINT, created_at BIGINT)");
    if (!created) return std::fprintf(stderr, "%s\n", created.error().ToString().c_str()), 1;
  }
  const TimePoint now = std::chrono::system_clock::now();
  std::atomic<std::int64_t> next_reference{0};
  const auto reference = [&](int, std::int64_t) {
    return Retrying([&]() -> Status {
      PASIP_ASSIGN_OR_RETURN(c, (*db)->Acquire());
      PASIP_ASSIGN_OR_RETURN(tx, Transaction::Begin(*c));
      const std::int64_t id = ++next_reference;
      PASIP_TRY(c->Execute(
          "INSERT INTO bench_reference VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
          "?, ?, ?, ?)",
          {id,
           f->site,
           f->organisation,
           now,
           "physique_sans_rdv",
           "[1]",
           "[\"droits--rsa\",\"urgence--alimentaire\"]",
           "[\"ecoute\",\"information\"]",
           "aucune",
           "",
           "",
           "",
           "26_44",
           "femme",
           "seul_enfants",
           "62498",
           1,
           0,
           f->user,
           now}));
      return tx.Commit();
    });
  };
  storage::SqlReceptionStore store(**db);
  const auto passage = [&](int, std::int64_t) {
    return Retrying([&]() -> Status {
      PASIP_TRY(store.CreatePassage(BenchPassage(*f, now)));
      return Ok();
    });
  };
  // A second of each to warm the files and caches up, then two rounds of each, interleaved
  // so that a change of load on the machine weighs on both alike.
  double reference_rate = 0, writes_rate = 0;
  for (int round = 0; round < 3; ++round) {
    const double length = round == 0 ? 1.0 : seconds / 2;
    auto r = Throughput(threads, length, reference);
    if (!r) return std::fprintf(stderr, "%s\n", r.error().ToString().c_str()), 1;
    auto w = Throughput(threads, length, passage);
    if (!w) return std::fprintf(stderr, "%s\n", w.error().ToString().c_str()), 1;
    if (round == 0) continue;
    reference_rate += *r / 2;
    writes_rate += *w / 2;
  }
  std::printf(
      "threads=%d seconds=%.0f writes_per_s=%.0f reference_per_s=%.0f ratio=%.3f "
      "busy_retries=%lld %s\n",
      threads, seconds, writes_rate, reference_rate, writes_rate / reference_rate,
      static_cast<long long>(busy_retries.load()), durability.c_str());
  return 0;
}

std::int64_t CountOf(Database& db, const char* sql) {
  auto c = db.Acquire();
  auto row = (*c)->QueryOne(sql);
  return row && *row ? (*row)->Int(0) : 0;
}

// BulkInsert of rows made by make(i, rows) for i in [from, to), 50,000 rows a transaction.
template <typename Make>
Status Load(Database& db, const char* table, std::vector<std::string> columns, std::int64_t from,
            std::int64_t to, Make make) {
  constexpr std::int64_t kChunk = 50000;
  auto c = db.Acquire();
  if (!c) return Fail(c.error());
  for (std::int64_t start = from; start < to; start += kChunk) {
    std::vector<std::vector<Value>> rows;
    for (std::int64_t i = start; i < std::min(to, start + kChunk); ++i) make(i, rows);
    PASIP_ASSIGN_OR_RETURN(tx, Transaction::Begin(**c));
    PASIP_TRY((*c)->BulkInsert(table, columns, rows));
    PASIP_TRY(tx.Commit());
  }
  return Ok();
}

int Search(const std::string& url, std::int64_t persons, int queries) {
  auto db = Open(url);
  if (!db) return std::fprintf(stderr, "%s\n", db.error().ToString().c_str()), 1;
  auto f = EnsureFixture(**db);
  if (!f) return std::fprintf(stderr, "%s\n", f.error().ToString().c_str()), 1;
  const std::int64_t have = CountOf(**db, "SELECT COUNT(*) FROM persons");
  if (have < persons) {
    std::fprintf(stderr, "chargement de %lld personnes\n", static_cast<long long>(persons - have));
    const auto t0 = Clock::now();
    const TimePoint now = std::chrono::system_clock::now();
    auto loaded = Load(**db, "persons",
                       {"id", "nom_affiche", "nom_naissance", "prenoms", "date_naissance",
                        "telephone", "created_at", "updated_at", "dernier_contact"},
                       have, persons, [&](std::int64_t i, std::vector<std::vector<Value>>& rows) {
                         const reception::Person p = SyntheticPerson(i);
                         rows.push_back({i + 1, p.nom_affiche, p.nom_naissance, p.prenoms,
                                         p.date_naissance, p.telephone, now, now, now});
                       });
    if (loaded) {
      loaded = Load(**db, "person_keys", {"person_id", "key"}, have, persons,
                    [&](std::int64_t i, std::vector<std::vector<Value>>& rows) {
                      for (std::string& k : reception::KeysOf(SyntheticPerson(i))) {
                        rows.push_back({i + 1, std::move(k)});
                      }
                    });
    }
    if (loaded) {
      loaded = Load(**db, "person_follows", {"person_id", "organisation_id", "motif", "since"},
                    have, persons, [&](std::int64_t i, std::vector<std::vector<Value>>& rows) {
                      rows.push_back({i + 1, f->organisation, "creation", now});
                    });
    }
    if (!loaded) return std::fprintf(stderr, "%s\n", loaded.error().ToString().c_str()), 1;
    if ((*db)->dialect() == storage::Dialect::kPostgres) {
      auto c = (*db)->Acquire();
      (void)(*c)->ExecuteScript("ANALYZE persons; ANALYZE person_keys; ANALYZE person_follows");
    }
    std::fprintf(stderr, "chargé en %.1f s\n", Ms(Clock::now() - t0) / 1000);
  }
  storage::SqlReceptionStore store(**db);
  Random r(42);
  std::vector<double> ms;
  std::size_t results = 0;
  for (int q = -queries / 10; q < queries; ++q) {  // a tenth as warm-up
    const reception::Person p = SyntheticPerson(r.Below(static_cast<std::size_t>(persons)));
    const reception::SearchKeys keys = reception::KeysForSearch(p.nom_affiche, "");
    reception::KeyQuery query;
    query.keys = keys.keys;
    query.prefixes = keys.prefixes;
    query.organisation_ids = {f->organisation};
    const auto t0 = Clock::now();
    auto found = store.FindByKeys(query);
    const double elapsed = Ms(Clock::now() - t0);
    if (!found) return std::fprintf(stderr, "%s\n", found.error().ToString().c_str()), 1;
    if (q < 0) continue;
    ms.push_back(elapsed);
    results += found->size();
  }
  std::printf("persons=%lld ", static_cast<long long>(persons));
  PrintLatencies(ms, results);
  return 0;
}

int Timeline(const std::string& url, std::int64_t passages, std::int64_t persons, int queries) {
  auto db = Open(url);
  if (!db) return std::fprintf(stderr, "%s\n", db.error().ToString().c_str()), 1;
  auto f = EnsureFixture(**db);
  if (!f) return std::fprintf(stderr, "%s\n", f.error().ToString().c_str()), 1;
  const std::int64_t person_rows = CountOf(**db, "SELECT COUNT(*) FROM persons");
  persons = std::min(persons, person_rows);
  if (persons == 0) return std::fprintf(stderr, "aucune personne : lancez « search »\n"), 1;
  const std::int64_t have = CountOf(**db, "SELECT COUNT(*) FROM passages");
  if (have < passages) {
    std::fprintf(stderr, "chargement de %lld passages\n", static_cast<long long>(passages - have));
    const auto t0 = Clock::now();
    const std::int64_t base = 1700000000;  // 2023-11-14: three years of passages
    const auto person_of = [&](std::int64_t i) -> Value {
      Random r(i * 31 + 7);
      if (r.Below(10) >= 6) return Value();
      return static_cast<std::int64_t>(1 + r.Below(static_cast<std::size_t>(persons)));
    };
    auto loaded = Load(
        **db, "passages",
        {"id",          "site_id",    "organisation_id", "debut",          "canal",    "agents",
         "person_id",   "urgence",    "langue",          "interpretariat", "resultat", "note",
         "tranche_age", "sexe",       "foyer",           "commune_code",   "nombre",   "lot",
         "created_by",  "created_at", "updated_at"},
        have, passages, [&](std::int64_t i, std::vector<std::vector<Value>>& rows) {
          const std::int64_t at = base + i * (94608000 / std::max<std::int64_t>(passages, 1));
          const Value person = person_of(i);
          rows.push_back({i + 1,
                          f->site,
                          f->organisation,
                          at,
                          "physique_sans_rdv",
                          "[1]",
                          person,
                          "aucune",
                          "",
                          0,
                          "orientation",
                          person.IsNull() ? "" : "Dossier à compléter",
                          "",
                          "",
                          "",
                          "",
                          1,
                          0,
                          f->user,
                          at,
                          at});
        });
    if (loaded) {
      loaded = Load(**db, "passage_motifs", {"passage_id", "position", "motif"}, have, passages,
                    [&](std::int64_t i, std::vector<std::vector<Value>>& rows) {
                      rows.push_back({i + 1, 0, "droits--rsa"});
                      if (i % 3 == 0) rows.push_back({i + 1, 1, "logement"});
                    });
    }
    if (loaded) {
      loaded = Load(**db, "passage_actes", {"passage_id", "position", "acte"}, have, passages,
                    [&](std::int64_t i, std::vector<std::vector<Value>>& rows) {
                      rows.push_back({i + 1, 0, "ecoute"});
                    });
    }
    if (!loaded) return std::fprintf(stderr, "%s\n", loaded.error().ToString().c_str()), 1;
    if ((*db)->dialect() == storage::Dialect::kPostgres) {
      auto c = (*db)->Acquire();
      (void)(*c)->ExecuteScript("ANALYZE passages; ANALYZE passage_motifs; ANALYZE passage_actes");
    }
    std::fprintf(stderr, "chargé en %.1f s\n", Ms(Clock::now() - t0) / 1000);
  }
  storage::SqlReceptionStore store(**db);
  Random r(7);
  std::vector<double> ms;
  std::size_t results = 0;
  for (int q = -queries / 10; q < queries; ++q) {
    reception::PassageQuery query;
    query.person_id = static_cast<std::int64_t>(1 + r.Below(static_cast<std::size_t>(persons)));
    query.limit = 50;
    const auto t0 = Clock::now();
    auto found = store.ListPassages(query);
    const double elapsed = Ms(Clock::now() - t0);
    if (!found) return std::fprintf(stderr, "%s\n", found.error().ToString().c_str()), 1;
    if (q < 0) continue;
    ms.push_back(elapsed);
    results += found->size();
  }
  std::printf("passages=%lld persons=%lld ", static_cast<long long>(passages),
              static_cast<long long>(persons));
  PrintLatencies(ms, results);
  return 0;
}

}  // namespace
}  // namespace pasip::bench

int main(int argc, char** argv) {
  pasip::crypto::InitCrypto();
  CLI::App app{"Banc d'essai de l'accueil (bench/reception/run.sh)"};
  app.require_subcommand(1);
  std::string url;
  int threads = 4, queries = 1000;
  double seconds = 10;
  std::int64_t persons = 1000000, passages = 10000000;
  auto* writes = app.add_subcommand("writes", "écritures durables de passages");
  writes->add_option("--database", url)->required();
  writes->add_option("--threads", threads);
  writes->add_option("--seconds", seconds);
  auto* search = app.add_subcommand("search", "recherche de personnes par clés");
  search->add_option("--database", url)->required();
  search->add_option("--persons", persons);
  search->add_option("--queries", queries);
  auto* timeline = app.add_subcommand("timeline", "chronologie d'une personne");
  timeline->add_option("--database", url)->required();
  timeline->add_option("--passages", passages);
  timeline->add_option("--persons", persons);
  timeline->add_option("--queries", queries);
  CLI11_PARSE(app, argc, argv);
  if (*writes) return pasip::bench::Writes(url, threads, seconds);
  if (*search) return pasip::bench::Search(url, persons, queries);
  return pasip::bench::Timeline(url, passages, persons, queries);
}
