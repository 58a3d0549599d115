// The reception use cases on in-memory stores: recording and correcting passages, person
// files under need-to-know, one audit entry per read, duplicates and merges, the queue and
// its hand-off, retention (purge) with an injected clock, and the right of access.
#include "domain/reception/reception.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <string>
#include <vector>

#include "domain/identity/memory_stores_test_util.h"
#include "domain/reception/memory_store_test_util.h"

namespace pasip::reception {
namespace {

using identity::Membership;
using identity::Role;
using identity::testing::MemoryAuditStore;
using identity::testing::MemoryIdentityStore;
using testing::MemoryReceptionStore;

constexpr auto kMinute = std::chrono::minutes(1);
constexpr auto kHour = std::chrono::hours(1);
constexpr auto kDays = [](int n) { return std::chrono::hours(24 * n); };

// Records what the export purge mode hands to the archives.
class RecordingSink final : public ArchiveSink {
 public:
  Result<std::string> Write(const PersonExport& bundle) override {
    bundles.push_back(bundle);
    return "personne-" + std::to_string(bundle.person.id) + ".json";
  }
  std::vector<PersonExport> bundles;
};

// An audit store that cannot write (a full disk, a lost connection).
class BrokenAuditStore final : public audit::Store {
 public:
  Status Append(const audit::Entry&) override { return Fail(Unavailable("journal indisponible")); }
  Result<std::vector<audit::Entry>> Search(const audit::Query&) override {
    return std::vector<audit::Entry>();
  }
  Result<std::int64_t> DeleteBefore(TimePoint) override { return 0; }
};

class ReceptionTest : public ::testing::Test {
 protected:
  // Monday 23 November 2026, 10 h in Paris.
  ReceptionTest()
      : clock_(*ParseIso("2026-11-23T09:00:00Z")),
        audit_(audit_store_, clock_),
        service_(store_, identity_, audit_, clock_) {
    ccas_ = MakeOrganisation("CCAS de Lens");
    caf_ = MakeOrganisation("CAF du Pas-de-Calais");
    site_ = MakeSite(ccas_, "CCAS de Lens — accueil");
    annexe_ = MakeSite(ccas_, "CCAS de Lens — annexe");
    caf_site_ = MakeSite(caf_, "CAF — agence de Lens");
    accueil_ = Agent("accueil@ccas.test", {{ccas_, Role::kAccueil, {}}});
    accueil2_ = Agent("accueil2@ccas.test", {{ccas_, Role::kAccueil, {}}});
    social_ = Agent("social@ccas.test", {{ccas_, Role::kSocial, {}}});
    annexe_only_ = Agent("annexe@ccas.test", {{ccas_, Role::kAccueil, {annexe_}}});
    caf_accueil_ = Agent("accueil@caf.test", {{caf_, Role::kAccueil, {}}});
    coordination_ = Agent("coordination@reseau.test", {{ccas_, Role::kCoordination, {}}});
    admin_ = Agent("admin@reseau.test", {{ccas_, Role::kAdmin, {}}});
  }

  identity::OrganisationId MakeOrganisation(const std::string& name) {
    identity::Organisation o;
    o.name = name;
    o.kind = "ccas-cias";
    return identity_.CreateOrganisation(o)->id;
  }

  identity::SiteId MakeSite(identity::OrganisationId org, const std::string& name) {
    identity::Site s;
    s.organisation_id = org;
    s.name = name;
    s.commune_code = "62498";
    return identity_.CreateSite(s)->id;
  }

  Principal Agent(const std::string& email, std::vector<Membership> memberships) {
    identity::User u;
    u.email = email;
    u.display_name = email;
    u.memberships = memberships;
    Principal p;
    p.user_id = identity_.CreateUser(u)->id;
    p.memberships = std::move(memberships);
    p.second_factor_verified = true;
    p.has_second_factor = true;
    return p;
  }

  static audit::Context Ctx(const Principal& who) { return {who.user_id, "req"}; }

  Passage Anonymous(identity::SiteId site) {
    Passage p;
    p.site_id = site;
    p.canal = "physique_sans_rdv";
    p.motifs = {"droits--rsa"};
    p.actes = {"information"};
    return p;
  }

  Passage Record(Passage p, const Principal& who) {
    auto saved = service_.RecordPassage(std::move(p), who, Ctx(who));
    EXPECT_TRUE(saved) << saved.error().ToString();
    return saved ? *saved : Passage{};
  }

  reception::Person Named(std::string nom, std::string date = "") {
    reception::Person p;
    p.nom_affiche = std::move(nom);
    p.date_naissance = std::move(date);
    return p;
  }

  // Creates a file as `who` (confirming duplicates) and answers it.
  reception::Person Create(reception::Person p, const Principal& who) {
    auto saved = service_.CreatePerson(std::move(p), 0, true, who, Ctx(who));
    EXPECT_TRUE(saved && saved->person) << (saved ? "doublons" : saved.error().ToString());
    return saved && saved->person ? *saved->person : reception::Person{};
  }

  std::size_t AuditCount(std::string_view action, std::string_view type,
                         const std::string& id) const {
    return std::count_if(
        audit_store_.entries.begin(), audit_store_.entries.end(), [&](const audit::Entry& e) {
          return e.action == action && e.resource_type == type && e.resource_id == id;
        });
  }

  ManualClock clock_;
  MemoryIdentityStore identity_;
  MemoryAuditStore audit_store_;
  audit::AuditLog audit_;
  MemoryReceptionStore store_;
  ReceptionService service_;
  identity::OrganisationId ccas_ = 0, caf_ = 0;
  identity::SiteId site_ = 0, annexe_ = 0, caf_site_ = 0;
  Principal accueil_, accueil2_, social_, annexe_only_, caf_accueil_, coordination_, admin_;
};

// ---------------------------------------------------------------------------------------
// Passages.

TEST_F(ReceptionTest, AnAnonymousPassageIsOneCallWithDefaults) {
  Passage p = Anonymous(site_);
  p.profil.tranche_age = "26_44";
  p.profil.commune_code = "2A004";
  const Passage saved = Record(p, accueil_);
  EXPECT_GT(saved.id, 0);
  EXPECT_EQ(saved.organisation_id, ccas_);
  EXPECT_EQ(saved.debut, clock_.Now());
  EXPECT_EQ(saved.agents, std::vector<UserId>{accueil_.user_id});
  EXPECT_EQ(saved.created_by, accueil_.user_id);
  EXPECT_EQ(saved.urgence, "aucune");
  EXPECT_FALSE(saved.person_id);
  // Anonymous passages are not person-level data: nothing audited.
  EXPECT_TRUE(audit_store_.entries.empty());
  auto stored = store_.FindPassage(saved.id);
  ASSERT_TRUE(stored && *stored);
  EXPECT_EQ(**stored, saved);
}

TEST_F(ReceptionTest, PassageValidationNamesTheField) {
  const reception::Person person = Create(Named("Zoé Martin"), accueil_);
  struct Case {
    std::string name;
    std::function<void(Passage&)> change;
    std::string field;
  };
  const std::vector<Case> cases = {
      {"canal vide", [](Passage& p) { p.canal = ""; }, "canal"},
      {"canal inconnu", [](Passage& p) { p.canal = "pigeon"; }, "canal"},
      {"sans motif", [](Passage& p) { p.motifs.clear(); }, "motifs"},
      {"motif inconnu", [](Passage& p) { p.motifs.push_back("inconnu"); }, "motifs"},
      {"acte inconnu", [](Passage& p) { p.actes = {"magie"}; }, "actes"},
      {"urgence", [](Passage& p) { p.urgence = "extreme"; }, "urgence"},
      {"resultat", [](Passage& p) { p.resultat = "peut-etre"; }, "resultat"},
      {"langue majuscule", [](Passage& p) { p.langue = "FR"; }, "langue"},
      {"langue longue", [](Passage& p) { p.langue = "francais"; }, "langue"},
      {"note anonyme", [](Passage& p) { p.note = "RAS"; }, "note"},
      {"tranche", [](Passage& p) { p.profil.tranche_age = "30"; }, "profil.tranche_age"},
      {"sexe", [](Passage& p) { p.profil.sexe = "x"; }, "profil.sexe"},
      {"foyer", [](Passage& p) { p.profil.foyer = "tribu"; }, "profil.foyer"},
      {"commune", [](Passage& p) { p.profil.commune_code = "6249"; }, "profil.commune_code"},
      {"fin avant debut",
       [this](Passage& p) {
         p.debut = clock_.Now();
         p.fin = clock_.Now() - kMinute;
       },
       "fin"},
      {"debut futur", [this](Passage& p) { p.debut = clock_.Now() + 25 * kHour; }, "debut"},
      {"nombre nul", [](Passage& p) { p.nombre = 0; }, "nombre"},
      {"nombre trop grand", [](Passage& p) { p.nombre = kMaxBatch + 1; }, "nombre"},
      {"note trop longue",
       [&](Passage& p) {
         p.person_id = person.id;
         p.note = std::string(501, 'a');
       },
       "note"},
      {"profil nominatif",
       [&](Passage& p) {
         p.person_id = person.id;
         p.profil.sexe = "femme";
       },
       "profil"},
  };
  for (const Case& c : cases) {
    Passage p = Anonymous(site_);
    c.change(p);
    auto saved = service_.RecordPassage(p, accueil_, Ctx(accueil_));
    ASSERT_FALSE(saved) << c.name;
    EXPECT_EQ(saved.error().code, ErrorCode::kInvalidArgument) << c.name;
    EXPECT_EQ(saved.error().field, c.field) << c.name;
    EXPECT_FALSE(saved.error().message.empty()) << c.name;
  }
  // The limits themselves pass.
  Passage limits = Anonymous(site_);
  limits.person_id = person.id;
  limits.note = std::string(500, 'a');
  limits.debut = clock_.Now() + 23 * kHour;
  limits.langue = "ber";
  EXPECT_TRUE(service_.RecordPassage(limits, accueil_, Ctx(accueil_)));
  auto listed = store_.ListPassages({});
  ASSERT_TRUE(listed);
  EXPECT_EQ(listed->size(), 1u);
}

TEST_F(ReceptionTest, OnlyTheSitesAgentsRecordPassages) {
  for (const Principal* who : {&coordination_, &caf_accueil_, &admin_, &annexe_only_}) {
    auto saved = service_.RecordPassage(Anonymous(site_), *who, Ctx(*who));
    ASSERT_FALSE(saved);
    EXPECT_EQ(saved.error().code, ErrorCode::kPermissionDenied);
  }
  EXPECT_TRUE(service_.RecordPassage(Anonymous(annexe_), annexe_only_, Ctx(annexe_only_)));
  auto missing = service_.RecordPassage(Anonymous(9999), accueil_, Ctx(accueil_));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  auto anonymous = service_.RecordPassage(Anonymous(site_), Principal{}, {});
  ASSERT_FALSE(anonymous);
  EXPECT_EQ(anonymous.error().code, ErrorCode::kUnauthenticated);

  auto sites = service_.DeskSites(accueil_);
  ASSERT_TRUE(sites);
  EXPECT_EQ(sites->size(), 2u);
  sites = service_.DeskSites(annexe_only_);
  ASSERT_TRUE(sites);
  ASSERT_EQ(sites->size(), 1u);
  EXPECT_EQ(sites->front().id, annexe_);
}

TEST_F(ReceptionTest, NamedPassageNeedsAVisiblePersonAndIsAudited) {
  const reception::Person person = Create(Named("Zoé Martin"), accueil_);
  Passage p = Anonymous(caf_site_);
  p.person_id = person.id;
  auto hidden = service_.RecordPassage(p, caf_accueil_, Ctx(caf_accueil_));
  ASSERT_FALSE(hidden);
  EXPECT_EQ(hidden.error().code, ErrorCode::kNotFound);

  p.site_id = site_;
  p.note = "Dossier RSA déposé.";
  const Passage saved = Record(p, accueil_);
  EXPECT_EQ(AuditCount("create", "passage", std::to_string(saved.id)), 1u);
}

TEST_F(ReceptionTest, BatchEntriesFromPaperTallies) {
  auto batch = service_.RecordBatch(site_, "2026-11-20", "droits--css", "telephone", 12, accueil_,
                                    Ctx(accueil_));
  ASSERT_TRUE(batch) << batch.error().ToString();
  EXPECT_TRUE(batch->lot);
  EXPECT_EQ(batch->nombre, 12);
  EXPECT_EQ(batch->motifs, std::vector<std::string>{"droits--css"});
  EXPECT_EQ(batch->canal, "telephone");
  EXPECT_EQ(FormatIsoUtc(batch->debut), "2026-11-20T11:00:00Z");  // noon in Paris

  auto check = [&](std::string_view jour, int nombre, std::string_view motif, std::string field) {
    auto r = service_.RecordBatch(site_, jour, motif, "telephone", nombre, accueil_, Ctx(accueil_));
    ASSERT_FALSE(r) << jour << " " << nombre;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(r.error().field, field);
  };
  check("2026-11-20", 0, "droits--css", "nombre");
  check("2026-11-20", kMaxBatch + 1, "droits--css", "nombre");
  check("2026-11-24", 3, "droits--css", "jour");
  check("2026-02-30", 3, "droits--css", "jour");
  check("hier", 3, "droits--css", "jour");
  check("2026-11-20", 3, "inconnu", "motifs");
  EXPECT_TRUE(service_.RecordBatch(site_, "2026-11-20", "droits--css", "telephone", kMaxBatch,
                                   accueil_, Ctx(accueil_)));

  // The desk puts the site's most frequent motives first; today lists today only.
  Record(Anonymous(site_), accueil_);
  auto desk = service_.DeskOf(site_, accueil_, Ctx(accueil_));
  ASSERT_TRUE(desk) << desk.error().ToString();
  ASSERT_GE(desk->motifs.size(), 2u);
  EXPECT_EQ(desk->motifs[0].code, "droits--css");
  EXPECT_EQ(desk->motifs[1].code, "droits--rsa");
  EXPECT_EQ(desk->motifs.size(), service_.catalogue().motifs.size());
  EXPECT_EQ(desk->actes.size(), service_.catalogue().actes.size());
  ASSERT_EQ(desk->today.size(), 1u);
  EXPECT_EQ(desk->today[0].motifs, std::vector<std::string>{"droits--rsa"});
}

TEST_F(ReceptionTest, PassagesAreCorrectableFor24Hours) {
  const Passage first = Record(Anonymous(site_), accueil_);
  const Passage second = Record(Anonymous(site_), accueil_);
  clock_.Advance(23 * kHour + 59 * kMinute);
  Passage fix = first;
  fix.motifs = {"urgence--alimentaire"};
  fix.actes = {"aide-urgence"};
  auto corrected = service_.CorrectPassage(fix, accueil2_, Ctx(accueil2_));
  ASSERT_TRUE(corrected) << corrected.error().ToString();
  EXPECT_EQ(corrected->motifs, std::vector<std::string>{"urgence--alimentaire"});
  EXPECT_EQ(corrected->created_by, accueil_.user_id);
  EXPECT_EQ(corrected->created_at, first.created_at);
  EXPECT_EQ(corrected->updated_at, clock_.Now());
  auto stored = store_.FindPassage(first.id);
  ASSERT_TRUE(stored && *stored);
  EXPECT_EQ((*stored)->motifs, std::vector<std::string>{"urgence--alimentaire"});
  // Another organisation's agent may not touch it, nor tell it from one that does not exist
  // (security.md S1: another organisation's record by id answers 404).
  auto foreign = service_.CorrectPassage(fix, caf_accueil_, Ctx(caf_accueil_));
  ASSERT_FALSE(foreign);
  EXPECT_EQ(foreign.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(foreign.error().message, "Passage introuvable.");
  auto foreign_delete = service_.DeletePassage(second.id, caf_accueil_, Ctx(caf_accueil_));
  ASSERT_FALSE(foreign_delete);
  EXPECT_EQ(foreign_delete.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(foreign_delete.error().message, "Passage introuvable.");

  clock_.Advance(2 * kMinute);  // 24 h 01
  auto late = service_.CorrectPassage(fix, accueil_, Ctx(accueil_));
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_EQ(late.error().message, "Ce passage ne peut plus être corrigé (plus de 24 heures).");
  auto deleted = service_.DeletePassage(second.id, accueil_, Ctx(accueil_));
  ASSERT_FALSE(deleted);
  EXPECT_EQ(deleted.error().code, ErrorCode::kFailedPrecondition);

  const Passage third = Record(Anonymous(site_), accueil_);
  clock_.Advance(23 * kHour + 59 * kMinute);
  EXPECT_TRUE(service_.DeletePassage(third.id, accueil_, Ctx(accueil_)));
  auto gone = store_.FindPassage(third.id);
  ASSERT_TRUE(gone);
  EXPECT_FALSE(*gone);
  auto again = service_.DeletePassage(third.id, accueil_, Ctx(accueil_));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::kNotFound);
}

TEST_F(ReceptionTest, CoordinationListsPassagesWithoutNamedData) {
  const reception::Person person = Create(Named("Zoé Martin"), accueil_);
  Passage named = Anonymous(site_);
  named.person_id = person.id;
  named.note = "Rendez-vous pris avec la CAF.";
  const Passage saved = Record(named, accueil_);
  Record(Anonymous(site_), accueil_);
  Record(Anonymous(caf_site_), caf_accueil_);

  const std::size_t before = audit_store_.entries.size();
  auto seen = service_.ListPassages({}, coordination_, Ctx(coordination_));
  ASSERT_TRUE(seen) << seen.error().ToString();
  EXPECT_EQ(seen->size(), 3u);
  for (const Passage& p : *seen) {
    EXPECT_FALSE(p.person_id);
    EXPECT_TRUE(p.note.empty());
  }
  EXPECT_EQ(audit_store_.entries.size(), before);
  auto one = service_.GetPassage(saved.id, coordination_, Ctx(coordination_));
  ASSERT_TRUE(one);
  EXPECT_FALSE(one->person_id);
  EXPECT_TRUE(one->note.empty());
  // Coordination cannot select a person's passages.
  PassageQuery by_person;
  by_person.person_id = person.id;
  auto selected = service_.ListPassages(by_person, coordination_, Ctx(coordination_));
  ASSERT_FALSE(selected);
  EXPECT_EQ(selected.error().code, ErrorCode::kNotFound);

  // The CCAS's agents see their organisation's passages, named ones audited one by one.
  auto own = service_.ListPassages({}, accueil_, Ctx(accueil_));
  ASSERT_TRUE(own);
  EXPECT_EQ(own->size(), 2u);
  EXPECT_EQ(AuditCount("read", "passage", std::to_string(saved.id)), 1u);
  const auto named_one =
      std::find_if(own->begin(), own->end(), [](const Passage& p) { return p.person_id; });
  ASSERT_NE(named_one, own->end());
  EXPECT_EQ(named_one->note, "Rendez-vous pris avec la CAF.");
  // The CAF's agent sees the CAF's passage only.
  auto caf = service_.ListPassages({}, caf_accueil_, Ctx(caf_accueil_));
  ASSERT_TRUE(caf);
  ASSERT_EQ(caf->size(), 1u);
  EXPECT_EQ(caf->front().site_id, caf_site_);
  auto foreign = service_.GetPassage(saved.id, caf_accueil_, Ctx(caf_accueil_));
  ASSERT_FALSE(foreign);
  EXPECT_EQ(foreign.error().code, ErrorCode::kNotFound);
  // Partners and administrators do not list passages.
  auto refused = service_.ListPassages({}, admin_, Ctx(admin_));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kPermissionDenied);
}

// ---------------------------------------------------------------------------------------
// Person files.

TEST_F(ReceptionTest, PersonValidationNamesTheField) {
  struct Case {
    std::function<void(reception::Person&)> change;
    std::string field;
  };
  const std::vector<Case> cases = {
      {[](reception::Person& p) { p.nom_affiche = "  "; }, "nom_affiche"},
      {[](reception::Person& p) { p.nom_affiche = std::string(201, 'a'); }, "nom_affiche"},
      {[](reception::Person& p) { p.date_naissance = "1980-13-01"; }, "date_naissance"},
      {[](reception::Person& p) { p.date_naissance = "2030-01-01"; }, "date_naissance"},
      {[](reception::Person& p) { p.sexe = "x"; }, "sexe"},
      {[](reception::Person& p) { p.nationalite = "belge"; }, "nationalite"},
      {[](reception::Person& p) { p.courriel = "zoe@"; }, "courriel"},
      {[](reception::Person& p) { p.telephone = "06 12 34"; }, "telephone"},
      {[](reception::Person& p) { p.telephone = "06 12 34 56 78 poste 2"; }, "telephone"},
      {[](reception::Person& p) { p.langues = {"Arabe"}; }, "langues"},
      {[](reception::Person& p) { p.commune_code = "62"; }, "commune_code"},
      {[](reception::Person& p) {
         p.foyer = {{"cousin", "", ""}};
       },
       "foyer"},
      {[](reception::Person& p) {
         p.foyer = {{"enfant", "Léa", "2031-01-01"}};
       },
       "foyer"},
      {[](reception::Person& p) { p.referent_id = 9999; }, "referent_id"},
  };
  for (const Case& c : cases) {
    reception::Person p = Named("Zoé Martin");
    c.change(p);
    auto saved = service_.CreatePerson(p, 0, true, accueil_, Ctx(accueil_));
    ASSERT_FALSE(saved) << c.field;
    EXPECT_EQ(saved.error().code, ErrorCode::kInvalidArgument) << c.field;
    EXPECT_EQ(saved.error().field, c.field);
  }
  EXPECT_EQ(*store_.CountPersons(), 0);
  reception::Person full = Named(" Zoé Martin ", "1985-03-02");
  full.telephone = "+33 6 12 34 56 78";
  full.courriel = "zoe.martin@example.org";
  full.sexe = "femme";
  full.nationalite = "hors_ue";
  full.langues = {"ar", "fr", "ar"};
  full.foyer = {{"enfant", "Léa", "2015-06-01"}};
  full.referent_id = social_.user_id;
  const reception::Person saved = Create(full, accueil_);
  EXPECT_EQ(saved.nom_affiche, "Zoé Martin");
  EXPECT_EQ(saved.langues, (std::vector<std::string>{"ar", "fr"}));
  EXPECT_EQ(saved.created_at, clock_.Now());
  EXPECT_EQ(saved.dernier_contact, clock_.Now());
  // Only the people who receive the public create files.
  auto refused = service_.CreatePerson(Named("X"), 0, true, coordination_, Ctx(coordination_));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kPermissionDenied);
  refused = service_.CreatePerson(Named("X"), caf_, true, accueil_, Ctx(accueil_));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kPermissionDenied);
}

TEST_F(ReceptionTest, AnotherOrganisationSeesNothing) {
  const reception::Person person = Create(Named("Zoé Martin", "1985-03-02"), accueil_);
  for (const Principal* who : {&caf_accueil_, &coordination_, &admin_}) {
    auto file = service_.GetPerson(person.id, *who, Ctx(*who));
    ASSERT_FALSE(file);
    EXPECT_EQ(file.error().code, ErrorCode::kNotFound);
    EXPECT_EQ(file.error().message, "Personne introuvable.");
  }
  Note note;
  note.person_id = person.id;
  note.visibilite = "generale";
  note.texte = "Passée à la CAF.";
  auto added = service_.AddNote(note, caf_accueil_, Ctx(caf_accueil_));
  ASSERT_FALSE(added);
  EXPECT_EQ(added.error().code, ErrorCode::kNotFound);
  auto exported = service_.ExportPerson(person.id, caf_accueil_, Ctx(caf_accueil_));
  ASSERT_FALSE(exported);
  EXPECT_EQ(exported.error().code, ErrorCode::kNotFound);
  reception::Person edit = person;
  edit.nom_affiche = "Autre";
  auto updated = service_.UpdatePerson(edit, true, caf_accueil_, Ctx(caf_accueil_));
  ASSERT_FALSE(updated);
  EXPECT_EQ(updated.error().code, ErrorCode::kNotFound);
  auto found = service_.SearchPersons("Martin", "", caf_accueil_, Ctx(caf_accueil_));
  ASSERT_TRUE(found);
  EXPECT_TRUE(found->empty());
  auto dups = service_.FindDuplicates(Named("Zoé Martin", "1985-03-02"), caf_accueil_);
  ASSERT_TRUE(dups);
  EXPECT_TRUE(dups->empty());
  // A file that does not exist answers the same.
  auto none = service_.GetPerson(person.id + 1000, accueil_, Ctx(accueil_));
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(none.error().message, "Personne introuvable.");

  // Once the CAF receives the person (a passage at its site), it follows the file.
  ASSERT_TRUE(store_.AddFollow({person.id, caf_, "suivi", clock_.Now()}));
  EXPECT_TRUE(service_.GetPerson(person.id, caf_accueil_, Ctx(caf_accueil_)));
  // An administrator exports any file (right of access).
  EXPECT_TRUE(service_.ExportPerson(person.id, admin_, Ctx(admin_)));
}

TEST_F(ReceptionTest, NotesFollowTheirVisibility) {
  const reception::Person person = Create(Named("Zoé Martin"), accueil_);
  auto add = [&](const Principal& who, std::string visibilite, std::string texte) {
    Note n;
    n.person_id = person.id;
    n.visibilite = std::move(visibilite);
    n.texte = std::move(texte);
    return service_.AddNote(n, who, Ctx(who));
  };
  ASSERT_TRUE(add(accueil_, "generale", "générale"));
  clock_.Advance(kMinute);
  ASSERT_TRUE(add(social_, "confidentielle", "confidentielle"));
  clock_.Advance(kMinute);
  ASSERT_TRUE(add(accueil_, "privee", "privée de l'accueil"));
  clock_.Advance(kMinute);
  ASSERT_TRUE(add(social_, "privee", "privée du social"));

  auto refused = add(accueil_, "confidentielle", "non");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kPermissionDenied);
  auto invalid = add(accueil_, "secrete", "non");
  ASSERT_FALSE(invalid);
  EXPECT_EQ(invalid.error().field, "visibilite");
  invalid = add(accueil_, "generale", "   ");
  ASSERT_FALSE(invalid);
  EXPECT_EQ(invalid.error().field, "texte");
  invalid = add(accueil_, "generale", std::string(5001, 'a'));
  ASSERT_FALSE(invalid);
  EXPECT_EQ(invalid.error().field, "texte");

  auto texts = [&](const Principal& who) {
    std::vector<std::string> out;
    auto file = service_.GetPerson(person.id, who, Ctx(who));
    EXPECT_TRUE(file) << file.error().ToString();
    if (file) {
      for (const Note& n : file->notes) out.push_back(n.texte);
    }
    return out;
  };
  // Newest first.
  EXPECT_EQ(texts(accueil_), (std::vector<std::string>{"privée de l'accueil", "générale"}));
  EXPECT_EQ(texts(social_),
            (std::vector<std::string>{"privée du social", "confidentielle", "générale"}));
  EXPECT_EQ(texts(accueil2_), (std::vector<std::string>{"générale"}));
  // The note moved the last contact forward; it carries the acting organisation.
  auto stored = store_.FindPerson(person.id);
  EXPECT_EQ((*stored)->dernier_contact, clock_.Now());
  auto notes = store_.NotesOf(person.id);
  ASSERT_TRUE(notes);
  for (const Note& n : *notes) EXPECT_EQ(n.organisation_id, ccas_);
  EXPECT_EQ(AuditCount("create", "note", std::to_string(notes->front().id)), 1u);
  // The export follows the same rule for agents.
  auto exported = service_.ExportPerson(person.id, accueil_, Ctx(accueil_));
  ASSERT_TRUE(exported);
  EXPECT_EQ(exported->notes.size(), 2u);
  exported = service_.ExportPerson(person.id, admin_, Ctx(admin_));
  ASSERT_TRUE(exported);
  EXPECT_EQ(exported->notes.size(), 4u);
}

TEST_F(ReceptionTest, EveryFileReadWritesOneAuditEntryWithoutPersonalText) {
  reception::Person p = Named("Zoé Martin", "1985-03-02");
  p.telephone = "06 12 34 56 78";
  p.courriel = "zoe.martin@example.org";
  const reception::Person person = Create(p, accueil_);
  for (int i = 0; i < 3; ++i) {
    Passage named = Anonymous(site_);
    named.person_id = person.id;
    named.note = "Martin : dossier en cours";
    Record(named, accueil_);
  }
  Consent consent;
  consent.person_id = person.id;
  consent.objet = "Situation de Zoé Martin pour la demande de RSA";
  consent.destinataires = "CAF";
  ASSERT_TRUE(service_.AddConsent(consent, accueil_, Ctx(accueil_)));
  Note note;
  note.person_id = person.id;
  note.visibilite = "generale";
  note.texte = "Zoé Martin revient lundi.";
  ASSERT_TRUE(service_.AddNote(note, accueil_, Ctx(accueil_)));

  const std::size_t before = audit_store_.entries.size();
  auto file = service_.GetPerson(person.id, accueil_, Ctx(accueil_));
  ASSERT_TRUE(file) << file.error().ToString();
  EXPECT_EQ(file->passages.size(), 3u);
  EXPECT_EQ(file->consents.size(), 1u);
  EXPECT_EQ(file->notes.size(), 1u);
  EXPECT_EQ(file->level, Level::kIdentity);
  EXPECT_EQ(file->acting_organisation, ccas_);
  ASSERT_EQ(audit_store_.entries.size(), before + 1);
  const audit::Entry& read = audit_store_.entries.back();
  EXPECT_EQ(read.action, "read");
  EXPECT_EQ(read.resource_type, "person");
  EXPECT_EQ(read.resource_id, std::to_string(person.id));
  EXPECT_EQ(read.user_id, accueil_.user_id);
  EXPECT_EQ(read.outcome, audit::Outcome::kSuccess);

  auto hits = service_.SearchPersons("Martin", "", accueil_, Ctx(accueil_));
  ASSERT_TRUE(hits);
  ASSERT_EQ(audit_store_.entries.size(), before + 2);
  EXPECT_EQ(audit_store_.entries.back().action, "search");
  EXPECT_EQ(audit_store_.entries.back().resource_type, "person");
  EXPECT_EQ(audit_store_.entries.back().resource_id, "");

  // One entry per write too: create person, 3 passages, consent, note.
  EXPECT_EQ(AuditCount("create", "person", std::to_string(person.id)), 1u);
  EXPECT_EQ(before, 6u);
  for (const audit::Entry& e : audit_store_.entries) {
    for (const std::string& field : {e.action, e.resource_type, e.resource_id, e.request_id}) {
      for (std::string_view secret : {"Zoé", "Martin", "martin", "06 12", "1985", "RSA", "lundi"}) {
        EXPECT_EQ(field.find(secret), std::string::npos) << field;
      }
    }
  }
}

TEST_F(ReceptionTest, NoUntracedAccessWhenTheAuditLogFails) {
  const reception::Person person = Create(Named("Zoé Martin"), accueil_);
  BrokenAuditStore broken;
  audit::AuditLog broken_log(broken, clock_);
  ReceptionService blind(store_, identity_, broken_log, clock_);
  auto file = blind.GetPerson(person.id, accueil_, Ctx(accueil_));
  ASSERT_FALSE(file);
  EXPECT_EQ(file.error().code, ErrorCode::kUnavailable);
  auto hits = blind.SearchPersons("Martin", "", accueil_, Ctx(accueil_));
  ASSERT_FALSE(hits);
  EXPECT_EQ(hits.error().code, ErrorCode::kUnavailable);
  auto exported = blind.ExportPerson(person.id, accueil_, Ctx(accueil_));
  ASSERT_FALSE(exported);
  // Anonymous counting does not depend on the audit log.
  EXPECT_TRUE(blind.RecordPassage(Anonymous(site_), accueil_, Ctx(accueil_)));
}

// Writes whose record is known beforehand are traced before they are made: when the audit
// log fails, the use case fails and the stores are unchanged (no untraced write).
TEST_F(ReceptionTest, NoUntracedWriteWhenTheAuditLogFails) {
  const reception::Person person = Create(Named("Zoé Martin"), accueil_);
  const reception::Person twin = Create(Named("Zoé Martin"), accueil_);
  Passage named = Anonymous(site_);
  named.person_id = person.id;
  named.note = "Dossier RSA déposé.";
  const Passage passage = Record(named, accueil_);
  auto ticket = service_.TakeTicket(site_, "", person.id, accueil_, Ctx(accueil_));
  ASSERT_TRUE(ticket);
  BrokenAuditStore broken;
  audit::AuditLog broken_log(broken, clock_);
  ReceptionService blind(store_, identity_, broken_log, clock_);

  reception::Person edit = person;
  edit.nom_affiche = "Zoé Martin-Durand";
  EXPECT_FALSE(blind.UpdatePerson(edit, true, accueil_, Ctx(accueil_)));
  EXPECT_EQ((*store_.FindPerson(person.id))->nom_affiche, "Zoé Martin");

  Passage fix = passage;
  fix.note = "Autre note.";
  EXPECT_FALSE(blind.CorrectPassage(fix, accueil_, Ctx(accueil_)));
  EXPECT_EQ((*store_.FindPassage(passage.id))->note, "Dossier RSA déposé.");
  EXPECT_FALSE(blind.DeletePassage(passage.id, accueil_, Ctx(accueil_)));
  EXPECT_TRUE(*store_.FindPassage(passage.id));

  EXPECT_FALSE(blind.MergePersons(person.id, twin.id, accueil_, Ctx(accueil_)));
  EXPECT_FALSE((*store_.FindPerson(twin.id))->fusionnee_dans);

  EXPECT_FALSE(blind.CallTicket(ticket->id, accueil_, Ctx(accueil_)));
  EXPECT_FALSE(blind.CallNext(site_, accueil_, Ctx(accueil_)));
  EXPECT_EQ((*store_.FindTicket(ticket->id))->etat, TicketState::kWaiting);
}

TEST_F(ReceptionTest, SearchFindsVisibleFilesByNameAndBirthDate) {
  const reception::Person zoe = Create(Named("Zoé Martin", "1985-03-02"), accueil_);
  Create(Named("Paul Durand", "1970-01-01"), accueil_);
  Create(Named("Zoé Martin", "1985-03-02"), caf_accueil_);  // the CAF's own file

  auto hits = service_.SearchPersons("mart", "", accueil_, Ctx(accueil_));
  ASSERT_TRUE(hits) << hits.error().ToString();
  ASSERT_EQ(hits->size(), 1u);
  EXPECT_EQ(hits->front().person.id, zoe.id);
  EXPECT_GT(hits->front().relevance, 0);
  hits = service_.SearchPersons("", "1985-03-02", accueil_, Ctx(accueil_));
  ASSERT_TRUE(hits);
  ASSERT_EQ(hits->size(), 1u);
  EXPECT_EQ(hits->front().person.id, zoe.id);

  auto short_query = service_.SearchPersons("m", "", accueil_, Ctx(accueil_));
  ASSERT_FALSE(short_query);
  EXPECT_EQ(short_query.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(short_query.error().field, "q");
  auto bad_date = service_.SearchPersons("Martin", "02/03/1985", accueil_, Ctx(accueil_));
  ASSERT_FALSE(bad_date);
  EXPECT_EQ(bad_date.error().field, "date_naissance");
  auto refused = service_.SearchPersons("Martin", "", coordination_, Ctx(coordination_));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kPermissionDenied);
}

TEST_F(ReceptionTest, DuplicatesAreProposedBeforeAnythingIsWritten) {
  reception::Person first = Named("Jean-Pierre Dupont", "1980-05-12");
  first.nom_naissance = "Dupont";
  first.prenoms = "Jean-Pierre";
  const reception::Person existing = Create(first, accueil_);

  reception::Person again = Named("Jean Pierre Dupond", "1980-05-12");
  again.nom_naissance = "Dupond";
  again.prenoms = "Jean Pierre";
  const std::size_t audited = audit_store_.entries.size();
  auto proposed = service_.CreatePerson(again, 0, false, accueil_, Ctx(accueil_));
  ASSERT_TRUE(proposed) << proposed.error().ToString();
  EXPECT_FALSE(proposed->person);
  ASSERT_FALSE(proposed->doublons.empty());
  EXPECT_EQ(proposed->doublons.front().person.id, existing.id);
  EXPECT_GE(proposed->doublons.front().similarity.score, kDuplicateThreshold);
  EXPECT_EQ(*store_.CountPersons(), 1);
  // The proposal showed a file: traced as a search, nothing created.
  ASSERT_EQ(audit_store_.entries.size(), audited + 1);
  EXPECT_EQ(audit_store_.entries.back().action, "search");

  // Another organisation is not told the file exists: it creates its own.
  auto elsewhere = service_.CreatePerson(again, 0, false, caf_accueil_, Ctx(caf_accueil_));
  ASSERT_TRUE(elsewhere);
  EXPECT_TRUE(elsewhere->person);
  EXPECT_EQ(*store_.CountPersons(), 2);

  auto confirmed = service_.CreatePerson(again, 0, true, accueil_, Ctx(accueil_));
  ASSERT_TRUE(confirmed);
  ASSERT_TRUE(confirmed->person);
  EXPECT_TRUE(confirmed->doublons.empty());
  EXPECT_EQ(*store_.CountPersons(), 3);

  // Editing a file into a copy of another proposes it too; the file itself is not proposed.
  reception::Person paul = Create(Named("Paul Durand", "1970-01-01"), accueil_);
  auto unchanged = service_.UpdatePerson(paul, false, accueil_, Ctx(accueil_));
  ASSERT_TRUE(unchanged);
  ASSERT_TRUE(unchanged->person);
  paul.nom_affiche = "Jean-Pierre Dupont";
  paul.date_naissance = "1980-05-12";
  auto edit = service_.UpdatePerson(paul, false, accueil_, Ctx(accueil_));
  ASSERT_TRUE(edit);
  EXPECT_FALSE(edit->person);
  ASSERT_FALSE(edit->doublons.empty());
  EXPECT_EQ((*store_.FindPerson(paul.id))->nom_affiche, "Paul Durand");
}

TEST_F(ReceptionTest, MergeKeepsBothHistoriesAndIsAudited) {
  const reception::Person kept = Create(Named("Zoé Martin", "1985-03-02"), accueil_);
  const reception::Person absorbed = Create(Named("Zoe Martin"), accueil_);
  Passage a = Anonymous(site_);
  a.person_id = kept.id;
  const Passage pa = Record(a, accueil_);
  Passage b = Anonymous(annexe_);
  b.person_id = absorbed.id;
  const Passage pb = Record(b, accueil_);
  Note note;
  note.person_id = absorbed.id;
  note.visibilite = "generale";
  note.texte = "Note du doublon.";
  ASSERT_TRUE(service_.AddNote(note, accueil_, Ctx(accueil_)));

  auto foreign = service_.MergePersons(kept.id, absorbed.id, caf_accueil_, Ctx(caf_accueil_));
  ASSERT_FALSE(foreign);
  EXPECT_EQ(foreign.error().code, ErrorCode::kNotFound);
  auto same = service_.MergePersons(kept.id, kept.id, accueil_, Ctx(accueil_));
  ASSERT_FALSE(same);
  EXPECT_EQ(same.error().code, ErrorCode::kInvalidArgument);

  auto merged = service_.MergePersons(kept.id, absorbed.id, accueil_, Ctx(accueil_));
  ASSERT_TRUE(merged) << merged.error().ToString();
  EXPECT_EQ(merged->id, kept.id);
  EXPECT_EQ(AuditCount("merge", "person", std::to_string(kept.id)), 1u);
  EXPECT_EQ(AuditCount("merge", "person", std::to_string(absorbed.id)), 1u);

  auto file = service_.GetPerson(kept.id, accueil_, Ctx(accueil_));
  ASSERT_TRUE(file);
  std::vector<PassageId> ids;
  for (const Passage& p : file->passages) ids.push_back(p.id);
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(ids, (std::vector<PassageId>{pa.id, pb.id}));
  ASSERT_EQ(file->notes.size(), 1u);
  EXPECT_EQ(file->notes[0].texte, "Note du doublon.");
  EXPECT_EQ(file->merged_from, std::vector<PersonId>{absorbed.id});
  EXPECT_FALSE(file->redirected_from);

  // The absorbed file's address leads to the kept file.
  auto redirected = service_.GetPerson(absorbed.id, accueil_, Ctx(accueil_));
  ASSERT_TRUE(redirected);
  EXPECT_EQ(redirected->person.id, kept.id);
  EXPECT_EQ(redirected->redirected_from, absorbed.id);
  // …but it cannot be written to, nor merged again.
  Note late = note;
  auto write = service_.AddNote(late, accueil_, Ctx(accueil_));
  ASSERT_FALSE(write);
  EXPECT_EQ(write.error().code, ErrorCode::kNotFound);
  auto twice = service_.MergePersons(kept.id, absorbed.id, accueil_, Ctx(accueil_));
  ASSERT_FALSE(twice);
  // The duplicate no longer shows up in searches.
  auto hits = service_.SearchPersons("Zoe Martin", "", accueil_, Ctx(accueil_));
  ASSERT_TRUE(hits);
  ASSERT_EQ(hits->size(), 1u);
  EXPECT_EQ(hits->front().person.id, kept.id);
}

TEST_F(ReceptionTest, ConsentsAreShownNewestFirstWithTheObjection) {
  const reception::Person person = Create(Named("Zoé Martin"), accueil_);
  Consent c;
  c.person_id = person.id;
  c.objet = "Situation pour la demande de RSA";
  c.destinataires = "CAF";
  c.portee = "ce dossier";
  auto first = service_.AddConsent(c, accueil_, Ctx(accueil_));
  ASSERT_TRUE(first) << first.error().ToString();
  EXPECT_EQ(first->organisation_id, ccas_);
  EXPECT_EQ(first->agent_id, accueil_.user_id);
  EXPECT_EQ(AuditCount("create", "consent", std::to_string(first->id)), 1u);
  clock_.Advance(kHour);
  Consent objection;
  objection.person_id = person.id;
  objection.opposition = true;
  ASSERT_TRUE(service_.AddConsent(objection, accueil_, Ctx(accueil_)));
  Consent empty;
  empty.person_id = person.id;
  auto invalid = service_.AddConsent(empty, accueil_, Ctx(accueil_));
  ASSERT_FALSE(invalid);
  EXPECT_EQ(invalid.error().field, "objet");

  auto file = service_.GetPerson(person.id, accueil_, Ctx(accueil_));
  ASSERT_TRUE(file);
  ASSERT_EQ(file->consents.size(), 2u);
  EXPECT_TRUE(file->consents.front().opposition);
  EXPECT_TRUE(file->opposition());
}

// ---------------------------------------------------------------------------------------
// Queue.

TEST_F(ReceptionTest, QueueHandOffNoShowAndWaitingTimes) {
  const reception::Person person = Create(Named("Zoé Martin"), accueil_);
  const std::size_t audited = audit_store_.entries.size();
  auto t1 = service_.TakeTicket(site_, "droits--rsa", person.id, accueil_, Ctx(accueil_));
  ASSERT_TRUE(t1) << t1.error().ToString();
  EXPECT_EQ(t1->numero, 1);
  EXPECT_EQ(t1->jour, "2026-11-23");
  EXPECT_EQ(t1->etat, TicketState::kWaiting);
  EXPECT_EQ(audit_store_.entries.size(), audited + 1);  // a named ticket
  EXPECT_EQ(AuditCount("create", "ticket", std::to_string(t1->id)), 1u);
  clock_.Advance(2 * kMinute);
  auto t2 = service_.TakeTicket(site_, "", std::nullopt, accueil_, Ctx(accueil_));
  ASSERT_TRUE(t2);
  EXPECT_EQ(t2->numero, 2);
  clock_.Advance(3 * kMinute);
  auto t3 = service_.TakeTicket(site_, "", std::nullopt, accueil_, Ctx(accueil_));
  ASSERT_TRUE(t3);
  EXPECT_EQ(t3->numero, 3);
  EXPECT_EQ(audit_store_.entries.size(), audited + 1);  // anonymous tickets are not audited
  auto bad = service_.TakeTicket(site_, "inconnu", std::nullopt, accueil_, Ctx(accueil_));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().field, "motif");
  auto foreign = service_.TakeTicket(site_, "", std::nullopt, caf_accueil_, Ctx(caf_accueil_));
  ASSERT_FALSE(foreign);
  EXPECT_EQ(foreign.error().code, ErrorCode::kPermissionDenied);

  // Nobody handed off yet: the social worker has nobody to call.
  auto nobody = service_.CallNext(site_, social_, Ctx(social_));
  ASSERT_FALSE(nobody);
  EXPECT_EQ(nobody.error().code, ErrorCode::kNotFound);
  // Only a called ticket can be handed off.
  auto early = service_.HandOff(t1->id, social_.user_id, "", accueil_, Ctx(accueil_));
  ASSERT_FALSE(early);
  EXPECT_EQ(early.error().code, ErrorCode::kFailedPrecondition);

  clock_.Advance(5 * kMinute);  // t0 + 10 min
  auto called = service_.CallNext(site_, accueil_, Ctx(accueil_));
  ASSERT_TRUE(called) << called.error().ToString();
  EXPECT_EQ(called->id, t1->id);
  EXPECT_EQ(called->etat, TicketState::kCalled);
  EXPECT_EQ(called->agent_id, accueil_.user_id);
  auto bad_note =
      service_.HandOff(t1->id, social_.user_id, std::string(501, 'a'), accueil_, Ctx(accueil_));
  ASSERT_FALSE(bad_note);
  EXPECT_EQ(bad_note.error().field, "note_transmission");
  auto not_social = service_.HandOff(t1->id, accueil2_.user_id, "", accueil_, Ctx(accueil_));
  ASSERT_FALSE(not_social);
  EXPECT_EQ(not_social.error().field, "transmis_a");
  auto handed = service_.HandOff(t1->id, social_.user_id, "Demande de RSA, pièces à vérifier.",
                                 accueil_, Ctx(accueil_));
  ASSERT_TRUE(handed) << handed.error().ToString();
  EXPECT_EQ(handed->etat, TicketState::kHandedOff);
  EXPECT_EQ(handed->transmis_a, social_.user_id);
  EXPECT_EQ(handed->note_transmission, "Demande de RSA, pièces à vérifier.");

  clock_.Advance(10 * kMinute);  // t0 + 20 min
  auto received = service_.CallNext(site_, social_, Ctx(social_));
  ASSERT_TRUE(received) << received.error().ToString();
  EXPECT_EQ(received->id, t1->id);
  EXPECT_EQ(received->etat, TicketState::kWithSocial);
  EXPECT_EQ(received->appel, t1->arrivee + 10 * kMinute);  // the first call counts
  auto second = service_.CallNext(site_, accueil_, Ctx(accueil_));
  ASSERT_TRUE(second);
  EXPECT_EQ(second->id, t2->id);
  auto absent = service_.NoShow(t2->id, accueil_, Ctx(accueil_));
  ASSERT_TRUE(absent);
  EXPECT_EQ(absent->etat, TicketState::kNoShow);
  EXPECT_EQ(absent->fin, clock_.Now());
  auto twice = service_.NoShow(t2->id, accueil_, Ctx(accueil_));
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error().code, ErrorCode::kFailedPrecondition);
  auto in_interview = service_.NoShow(t1->id, accueil_, Ctx(accueil_));
  ASSERT_FALSE(in_interview);
  EXPECT_EQ(in_interview.error().code, ErrorCode::kFailedPrecondition);

  auto view = service_.QueueOf(site_, accueil_);
  ASSERT_TRUE(view);
  ASSERT_EQ(view->attente.size(), 1u);
  EXPECT_EQ(view->attente[0].ticket.numero, 3);
  EXPECT_EQ(view->attente[0].attente_minutes, 15);
  ASSERT_EQ(view->en_entretien.size(), 1u);
  EXPECT_EQ(view->en_entretien[0].attente_minutes, 10);
  EXPECT_EQ(view->termines.size(), 1u);
  EXPECT_TRUE(view->appeles.empty());
  EXPECT_TRUE(view->transmis.empty());

  auto room = service_.WaitingRoomOf(site_);
  ASSERT_TRUE(room);
  EXPECT_EQ(room->site_name, "CCAS de Lens — accueil");
  EXPECT_EQ(room->appeles, std::vector<int>{1});
  EXPECT_EQ(room->attente, std::vector<int>{3});
  clock_.Advance(6 * kMinute);  // the call of ticket 1 is 16 minutes old
  room = service_.WaitingRoomOf(site_);
  ASSERT_TRUE(room);
  EXPECT_TRUE(room->appeles.empty());

  auto done = service_.FinishTicket(t1->id, std::nullopt, social_, Ctx(social_));
  ASSERT_TRUE(done) << done.error().ToString();
  EXPECT_EQ(done->etat, TicketState::kDone);
  auto again = service_.FinishTicket(t1->id, std::nullopt, social_, Ctx(social_));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::kFailedPrecondition);
  auto waiting = service_.FinishTicket(t3->id, std::nullopt, accueil_, Ctx(accueil_));
  ASSERT_FALSE(waiting);
  EXPECT_EQ(waiting.error().code, ErrorCode::kFailedPrecondition);

  // Waits: ticket 1 called after 10 min, ticket 2 after 18 min; ticket 3 never called.
  auto stats = service_.WaitStatsOf(site_, "2026-11-22", "2026-11-23", accueil_);
  ASSERT_TRUE(stats) << stats.error().ToString();
  ASSERT_EQ(stats->size(), 2u);
  EXPECT_EQ((*stats)[0].jour, "2026-11-22");
  EXPECT_EQ((*stats)[0].tickets, 0);
  const WaitStats& today = (*stats)[1];
  EXPECT_EQ(today.jour, "2026-11-23");
  EXPECT_EQ(today.tickets, 3);
  EXPECT_EQ(today.recus, 1);
  EXPECT_EQ(today.absents, 1);
  EXPECT_EQ(today.attente_moyenne, 14);
  EXPECT_EQ(today.attente_mediane, 14);
  EXPECT_EQ(today.attente_max, 18);
  auto reversed = service_.WaitStatsOf(site_, "2026-11-23", "2026-11-22", accueil_);
  ASSERT_FALSE(reversed);
  EXPECT_EQ(reversed.error().field, "au");
  auto too_long = service_.WaitStatsOf(site_, "2025-01-01", "2026-11-23", accueil_);
  ASSERT_FALSE(too_long);
  EXPECT_EQ(too_long.error().code, ErrorCode::kInvalidArgument);

  // Every change of the named ticket was audited, once each.
  EXPECT_EQ(AuditCount("update", "ticket", std::to_string(t1->id)), 4u);
}

// Correcting one's own passage cannot attach a file one may not see: the check comes before
// the store, whose named passages make the site's organisation follow the person.
TEST_F(ReceptionTest, ACorrectionCannotAttachAHiddenFile) {
  const reception::Person person = Create(Named("Zoé Martin"), accueil_);
  const Passage mine = Record(Anonymous(caf_site_), caf_accueil_);
  Passage fix = mine;
  fix.person_id = person.id;
  auto attached = service_.CorrectPassage(fix, caf_accueil_, Ctx(caf_accueil_));
  ASSERT_FALSE(attached);
  EXPECT_EQ(attached.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(attached.error().message, "Personne introuvable.");
  auto follows = store_.FollowsOf(person.id);
  ASSERT_TRUE(follows);
  for (const Follow& f : *follows) EXPECT_NE(f.organisation_id, caf_);
  auto stored = store_.FindPassage(mine.id);
  ASSERT_TRUE(stored && *stored);
  EXPECT_FALSE((*stored)->person_id);
  EXPECT_FALSE(service_.GetPerson(person.id, caf_accueil_, Ctx(caf_accueil_)));
}

// Another organisation's ticket is not told apart from a ticket that does not exist, and a
// file the caller may not see cannot be put on a ticket (nor followed through it).
TEST_F(ReceptionTest, AnObjectionKeepsTheFileInItsOrganisations) {
  // An agent working for both organisations cannot carry the file of a person who objects
  // to sharing from the CCAS to the CAF by recording a passage there.
  const Principal both =
      Agent("deux@reseau.test", {{ccas_, Role::kAccueil, {}}, {caf_, Role::kAccueil, {}}});
  const reception::Person p = Create(Named("Mme Objection", "1970-01-01"), accueil_);
  Consent objection;
  objection.person_id = p.id;
  objection.objet = "Toute information";
  objection.destinataires = "Tout partenaire";
  objection.portee = "Tout le dossier";
  objection.opposition = true;
  ASSERT_TRUE(service_.AddConsent(objection, accueil_, Ctx(accueil_)));

  Passage at_caf = Anonymous(caf_site_);
  at_caf.person_id = p.id;
  auto refused = service_.RecordPassage(at_caf, both, Ctx(both));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().field, "person_id");
  EXPECT_EQ(service_.GetPerson(p.id, caf_accueil_, Ctx(caf_accueil_)).error().code,
            ErrorCode::kNotFound);

  // At the CCAS, which follows the person already, the passage is recorded.
  Passage at_ccas = Anonymous(site_);
  at_ccas.person_id = p.id;
  EXPECT_TRUE(service_.RecordPassage(at_ccas, both, Ctx(both)));
}

TEST_F(ReceptionTest, AnotherOrganisationsTicketsAnswerNotFound) {
  const reception::Person person = Create(Named("Zoé Martin"), accueil_);
  auto ticket = service_.TakeTicket(site_, "", person.id, accueil_, Ctx(accueil_));
  ASSERT_TRUE(ticket) << ticket.error().ToString();
  auto hidden = service_.TakeTicket(caf_site_, "", person.id, caf_accueil_, Ctx(caf_accueil_));
  ASSERT_FALSE(hidden);
  EXPECT_EQ(hidden.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(hidden.error().message, "Personne introuvable.");
  auto follows = store_.FollowsOf(person.id);
  ASSERT_TRUE(follows);
  for (const Follow& f : *follows) EXPECT_NE(f.organisation_id, caf_);

  const std::vector<std::function<Result<Ticket>(TicketId)>> actions = {
      [&](TicketId id) { return service_.CallTicket(id, caf_accueil_, Ctx(caf_accueil_)); },
      [&](TicketId id) { return service_.HandOff(id, 0, "note", caf_accueil_, Ctx(caf_accueil_)); },
      [&](TicketId id) {
        return service_.FinishTicket(id, std::nullopt, caf_accueil_, Ctx(caf_accueil_));
      },
      [&](TicketId id) { return service_.NoShow(id, caf_accueil_, Ctx(caf_accueil_)); },
  };
  for (const auto& act : actions) {
    auto foreign = act(ticket->id);
    ASSERT_FALSE(foreign);
    EXPECT_EQ(foreign.error().code, ErrorCode::kNotFound);
    EXPECT_EQ(foreign.error().message, "Ticket introuvable.");
    auto missing = act(ticket->id + 1000);
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
    EXPECT_EQ(missing.error().message, foreign.error().message);
  }
  auto stored = store_.FindTicket(ticket->id);
  ASSERT_TRUE(stored && *stored);
  EXPECT_EQ((*stored)->etat, TicketState::kWaiting);
}

TEST_F(ReceptionTest, TicketsAreNumberedPerParisDay) {
  clock_.Set(*ParseIso("2026-11-23T22:30:00Z"));  // 23 h 30 in Paris
  auto late = service_.TakeTicket(site_, "", std::nullopt, accueil_, Ctx(accueil_));
  ASSERT_TRUE(late);
  EXPECT_EQ(late->jour, "2026-11-23");
  clock_.Set(*ParseIso("2026-11-23T23:30:00Z"));  // 0 h 30 the next day
  auto next = service_.TakeTicket(site_, "", std::nullopt, accueil_, Ctx(accueil_));
  ASSERT_TRUE(next);
  EXPECT_EQ(next->jour, "2026-11-24");
  EXPECT_EQ(next->numero, 1);
  auto view = service_.QueueOf(site_, accueil_);
  ASSERT_TRUE(view);
  ASSERT_EQ(view->attente.size(), 1u);
  EXPECT_EQ(view->attente[0].ticket.id, next->id);
}

// ---------------------------------------------------------------------------------------
// Retention and right of access.

TEST_F(ReceptionTest, PurgeEmptiesHandOffNotesOnceTheirDayIsOverByMoreThanSevenDays) {
  const reception::Person person = Create(Named("Zoé Martin"), accueil_);
  // Hands the next waiting ticket off with `note`.
  const auto hand_off = [&](std::string_view note) {
    auto called = service_.CallNext(site_, accueil_, Ctx(accueil_));
    EXPECT_TRUE(called) << called.error().ToString();
    auto handed = service_.HandOff(called->id, social_.user_id, note, accueil_, Ctx(accueil_));
    EXPECT_TRUE(handed) << handed.error().ToString();
    return *handed;
  };
  ASSERT_TRUE(service_.TakeTicket(site_, "", person.id, accueil_, Ctx(accueil_)));
  const Ticket named = hand_off("Mme Martin, pièces RSA à vérifier.");
  ASSERT_TRUE(service_.TakeTicket(site_, "", std::nullopt, accueil_, Ctx(accueil_)));
  const Ticket anonymous = hand_off("M. Durand, sans papiers sur lui.");
  ASSERT_TRUE(service_.TakeTicket(site_, "", std::nullopt, accueil_, Ctx(accueil_)));
  const Ticket silent = hand_off("");
  EXPECT_EQ(named.jour, "2026-11-23");
  EXPECT_EQ(anonymous.jour, "2026-11-23");
  clock_.Set(*ParseIso("2026-11-24T09:00:00Z"));
  ASSERT_TRUE(service_.TakeTicket(site_, "", std::nullopt, accueil_, Ctx(accueil_)));
  const Ticket next_day = hand_off("Mme Petit, logement.");
  EXPECT_EQ(next_day.jour, "2026-11-24");
  const audit::Context system{0, "purge"};
  const auto note_of = [&](TicketId id) {
    auto t = store_.FindTicket(id);
    EXPECT_TRUE(t && *t);
    return (*t)->note_transmission;
  };

  // 23 h 30 in Paris on 30 November: the 23rd is over by 6 days and 23 h 30.
  clock_.Set(*ParseIso("2026-11-30T22:30:00Z"));
  auto report = service_.Purge(nullptr, system);
  ASSERT_TRUE(report) << report.error().ToString();
  EXPECT_EQ(report->notes_effacees, 0);
  EXPECT_EQ(note_of(named.id), "Mme Martin, pièces RSA à vérifier.");
  EXPECT_EQ(note_of(anonymous.id), "M. Durand, sans papiers sur lui.");

  // 0 h 30 in Paris on 1 December: over by more than 7 days.
  clock_.Set(*ParseIso("2026-11-30T23:30:00Z"));
  report = service_.Purge(nullptr, system);
  ASSERT_TRUE(report) << report.error().ToString();
  EXPECT_EQ(report->notes_effacees, 2);  // the empty note is not counted
  EXPECT_EQ(report->anonymises, 0);
  EXPECT_EQ(note_of(named.id), "");
  EXPECT_EQ(note_of(anonymous.id), "");
  EXPECT_EQ(note_of(silent.id), "");
  EXPECT_EQ(note_of(next_day.id), "Mme Petit, logement.");
  // Only the note goes: the ticket stays, still linked to the person's file.
  auto kept = store_.FindTicket(named.id);
  ASSERT_TRUE(kept && *kept);
  EXPECT_EQ((*kept)->person_id, person.id);
  EXPECT_EQ((*kept)->etat, TicketState::kHandedOff);
  EXPECT_TRUE(*store_.FindPerson(person.id));

  // The next day, the ticket of the 24th; then nothing left.
  clock_.Set(*ParseIso("2026-12-01T23:30:00Z"));
  report = service_.Purge(nullptr, system);
  ASSERT_TRUE(report);
  EXPECT_EQ(report->notes_effacees, 1);
  EXPECT_EQ(note_of(next_day.id), "");
  report = service_.Purge(nullptr, system);
  ASSERT_TRUE(report);
  EXPECT_EQ(report->notes_effacees, 0);
}

TEST_F(ReceptionTest, PurgeAfterTwoYearsWithoutContact) {
  const reception::Person person = Create(Named("Zoé Martin"), accueil_);
  Passage named = Anonymous(site_);
  named.person_id = person.id;
  named.note = "Dossier RSA";
  const Passage passage = Record(named, accueil_);
  const audit::Context system{0, "purge"};

  clock_.Advance(kDays(730));
  auto report = service_.Purge(nullptr, system);
  ASSERT_TRUE(report) << report.error().ToString();
  EXPECT_EQ(report->anonymises, 0);
  EXPECT_TRUE(*store_.FindPerson(person.id));

  clock_.Advance(kDays(1));  // two years and a day
  report = service_.Purge(nullptr, system);
  ASSERT_TRUE(report) << report.error().ToString();
  EXPECT_EQ(report->anonymises, 1);
  EXPECT_EQ(report->exportes, 0);
  EXPECT_FALSE(*store_.FindPerson(person.id));
  auto kept = store_.FindPassage(passage.id);
  ASSERT_TRUE(kept && *kept);
  EXPECT_FALSE((*kept)->person_id);
  EXPECT_TRUE((*kept)->note.empty());
  EXPECT_EQ((*kept)->motifs, named.motifs);
  EXPECT_EQ(AuditCount("purge", "person", std::to_string(person.id)), 1u);
  auto log = service_.PurgeLog(admin_);
  ASSERT_TRUE(log);
  ASSERT_EQ(log->size(), 1u);
  EXPECT_EQ(log->front().person_id, person.id);
  EXPECT_EQ(log->front().mode, PurgeMode::kAnonymise);
  EXPECT_TRUE(log->front().bundle.empty());
  auto refused = service_.PurgeLog(accueil_);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kPermissionDenied);
  // Nothing left to do.
  report = service_.Purge(nullptr, system);
  ASSERT_TRUE(report);
  EXPECT_EQ(report->anonymises, 0);
}

TEST_F(ReceptionTest, AContactAtOneYear364DaysResetsTheClock) {
  const reception::Person person = Create(Named("Zoé Martin"), accueil_);
  const reception::Person quiet = Create(Named("Paul Durand"), accueil_);
  clock_.Advance(kDays(364 + 365));
  Passage named = Anonymous(site_);
  named.person_id = person.id;
  Record(named, accueil_);
  clock_.Advance(kDays(2));  // two years and a day after the creation
  const audit::Context system{0, "purge"};
  auto report = service_.Purge(nullptr, system);
  ASSERT_TRUE(report);
  EXPECT_EQ(report->anonymises, 1);
  EXPECT_TRUE(*store_.FindPerson(person.id));
  EXPECT_FALSE(*store_.FindPerson(quiet.id));

  clock_.Advance(kDays(729));  // two years and a day after the contact
  report = service_.Purge(nullptr, system);
  ASSERT_TRUE(report);
  EXPECT_EQ(report->anonymises, 1);
  EXPECT_FALSE(*store_.FindPerson(person.id));
}

TEST_F(ReceptionTest, ExportModeHandsTheBundleToTheArchives) {
  ASSERT_TRUE(service_.SetRetention({ccas_, 730, PurgeMode::kExport}, admin_, Ctx(admin_)));
  EXPECT_EQ(AuditCount("update", "retention", std::to_string(ccas_)), 1u);
  const reception::Person person = Create(Named("Zoé Martin"), accueil_);
  Passage named = Anonymous(site_);
  named.person_id = person.id;
  Record(named, accueil_);
  ASSERT_TRUE(service_.GetPerson(person.id, accueil_, Ctx(accueil_)));
  clock_.Advance(kDays(731));
  const audit::Context system{0, "purge"};

  // Without an archive, nothing is removed.
  auto refused = service_.Purge(nullptr, system);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_TRUE(*store_.FindPerson(person.id));

  RecordingSink sink;
  auto report = service_.Purge(&sink, system);
  ASSERT_TRUE(report) << report.error().ToString();
  EXPECT_EQ(report->exportes, 1);
  EXPECT_EQ(report->anonymises, 0);
  const std::string name = "personne-" + std::to_string(person.id) + ".json";
  EXPECT_EQ(report->bundles, std::vector<std::string>{name});
  ASSERT_EQ(sink.bundles.size(), 1u);
  EXPECT_EQ(sink.bundles[0].person.nom_affiche, "Zoé Martin");
  EXPECT_EQ(sink.bundles[0].passages.size(), 1u);
  EXPECT_FALSE(sink.bundles[0].accesses.empty());
  EXPECT_FALSE(*store_.FindPerson(person.id));
  auto log = service_.PurgeLog(admin_);
  ASSERT_TRUE(log);
  ASSERT_EQ(log->size(), 1u);
  EXPECT_EQ(log->front().mode, PurgeMode::kExport);
  EXPECT_EQ(log->front().bundle, name);
}

TEST_F(ReceptionTest, RetentionIsSetPerOrganisation) {
  auto refused = service_.SetRetention({caf_, 365, PurgeMode::kAnonymise}, accueil_, Ctx(accueil_));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kPermissionDenied);
  auto too_long = service_.SetRetention({caf_, 731, PurgeMode::kAnonymise}, admin_, Ctx(admin_));
  ASSERT_FALSE(too_long);
  EXPECT_EQ(too_long.error().field, "days");
  ASSERT_TRUE(service_.SetRetention({caf_, 365, PurgeMode::kAnonymise}, admin_, Ctx(admin_)));
  EXPECT_EQ(service_.RetentionOf(caf_)->days, 365);
  EXPECT_EQ(service_.RetentionOf(ccas_)->days, 730);

  const reception::Person caf_only = Create(Named("Zoé Martin"), caf_accueil_);
  const reception::Person both = Create(Named("Paul Durand"), caf_accueil_);
  ASSERT_TRUE(store_.AddFollow({both.id, ccas_, "suivi", clock_.Now()}));
  const reception::Person ccas_only = Create(Named("Léa Petit"), accueil_);
  clock_.Advance(kDays(366));
  auto report = service_.Purge(nullptr, {0, "purge"});
  ASSERT_TRUE(report);
  EXPECT_EQ(report->anonymises, 1);
  EXPECT_FALSE(*store_.FindPerson(caf_only.id));
  EXPECT_TRUE(*store_.FindPerson(both.id));  // the CCAS keeps it for two years
  EXPECT_TRUE(*store_.FindPerson(ccas_only.id));
}

TEST_F(ReceptionTest, ExportGivesEverythingWithTheAccesses) {
  const reception::Person person = Create(Named("Zoé Martin"), accueil_);
  Passage named = Anonymous(site_);
  named.person_id = person.id;
  Record(named, accueil_);
  ASSERT_TRUE(service_.TakeTicket(site_, "", person.id, accueil_, Ctx(accueil_)));
  Consent c;
  c.person_id = person.id;
  c.objet = "RSA";
  ASSERT_TRUE(service_.AddConsent(c, accueil_, Ctx(accueil_)));
  ASSERT_TRUE(service_.GetPerson(person.id, social_, Ctx(social_)));

  auto bundle = service_.ExportPerson(person.id, accueil_, Ctx(accueil_));
  ASSERT_TRUE(bundle) << bundle.error().ToString();
  EXPECT_EQ(bundle->person.id, person.id);
  EXPECT_EQ(bundle->passages.size(), 1u);
  EXPECT_EQ(bundle->tickets.size(), 1u);
  EXPECT_EQ(bundle->consents.size(), 1u);
  EXPECT_EQ(bundle->follows.size(), 1u);
  // create (accueil) and read (social).
  ASSERT_EQ(bundle->accesses.size(), 2u);
  EXPECT_EQ(bundle->accesses[0].action, "create");
  EXPECT_EQ(bundle->accesses[1].action, "read");
  EXPECT_EQ(bundle->accesses[1].user_id, social_.user_id);
  EXPECT_EQ(AuditCount("export", "person", std::to_string(person.id)), 1u);
}

}  // namespace
}  // namespace pasip::reception
