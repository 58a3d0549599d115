#include "domain/reception/model.h"

#include <gtest/gtest.h>

#include <set>

#include "domain/directory/model.h"

namespace pasip::reception {
namespace {

TEST(ReceptionCatalogue, DefaultMotifsAreRightsThenEmergenciesThenThematiques) {
  const Catalogue& c = Catalogue::Default();
  const auto thematiques = directory::Values(directory::Referentiel::kThematique);
  ASSERT_EQ(c.motifs.size(), 10 + 4 + thematiques.size());
  EXPECT_EQ(c.motifs[0].code, "droits--rsa");
  for (std::size_t i = 0; i < 10; ++i) EXPECT_EQ(c.motifs[i].groupe, "droits") << i;
  for (std::size_t i = 10; i < 14; ++i) EXPECT_EQ(c.motifs[i].groupe, "urgence") << i;
  for (std::size_t i = 0; i < thematiques.size(); ++i) {
    const Item& item = c.motifs[14 + i];
    EXPECT_EQ(item.code, thematiques[i].value);
    EXPECT_EQ(item.label, thematiques[i].label);
    EXPECT_EQ(item.groupe, directory::CategoryOf(thematiques[i].value));
  }
  const std::set<std::string> expected = {"droits--rsa",
                                          "droits--prime-activite",
                                          "droits--css",
                                          "droits--aah",
                                          "droits--retraite-aspa",
                                          "droits--aides-logement",
                                          "droits--prestations-familiales",
                                          "droits--chomage",
                                          "droits--titre-sejour",
                                          "droits--domiciliation",
                                          "urgence--alimentaire",
                                          "urgence--hebergement",
                                          "urgence--violences",
                                          "urgence--sante"};
  for (const std::string& code : expected) {
    const Item* item = c.Motif(code);
    ASSERT_NE(item, nullptr) << code;
    EXPECT_FALSE(item->label.empty()) << code;
  }
  std::set<std::string> codes;
  for (const Item& m : c.motifs) EXPECT_TRUE(codes.insert(m.code).second) << m.code;
}

TEST(ReceptionCatalogue, TwelveDefaultActs) {
  const Catalogue& c = Catalogue::Default();
  const std::vector<std::string> expected = {"ecoute",
                                             "information",
                                             "aide-demarches",
                                             "aide-numerique",
                                             "verification-droits",
                                             "ouverture-droit",
                                             "simulation-droits",
                                             "orientation-interne",
                                             "orientation-externe",
                                             "rendez-vous",
                                             "accompagnement-physique",
                                             "aide-urgence"};
  ASSERT_EQ(c.actes.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(c.actes[i].code, expected[i]);
    EXPECT_FALSE(c.actes[i].label.empty());
    EXPECT_FALSE(c.actes[i].sensible);
  }
  EXPECT_EQ(c.Acte("ecoute")->label, "Écoute");
  EXPECT_EQ(c.Acte("droits--rsa"), nullptr);
  EXPECT_EQ(c.Motif("ecoute"), nullptr);
}

TEST(ReceptionCatalogue, SensitiveMotifs) {
  const Catalogue& c = Catalogue::Default();
  // Health, disability, violence, justice (security.md S7).
  for (std::string_view code :
       {"droits--aah", "urgence--violences", "urgence--sante", "sante--acces-aux-soins",
        "sante--addictions", "sante--constituer-un-dossier-mdph-invalidite", "sante--sante-mentale",
        "sante--sante-sexuelle", "famille--surmonter-conflits-separation-violence",
        "difficultes-administratives-ou-juridiques--prendre-en-compte-une-problematique-"
        "judiciaire",
        "famille--prise-en-charge-personne-dependante"}) {
    EXPECT_TRUE(c.IsSensitiveMotif(code)) << code;
  }
  for (std::string_view code :
       {"droits--rsa", "droits--css", "droits--titre-sejour", "urgence--alimentaire",
        "urgence--hebergement", "logement-hebergement--louer-un-logement",
        "numerique--acceder-a-une-connexion-internet", "famille--garde-denfants", "inconnu"}) {
    EXPECT_FALSE(c.IsSensitiveMotif(code)) << code;
  }
  // Every thématique of the "sante" catégorie, whatever its code.
  for (const Item& m : c.motifs) {
    if (m.groupe == "sante") {
      EXPECT_TRUE(m.sensible) << m.code;
    }
  }
}

TEST(ReceptionCatalogue, ParsesATsvFile) {
  const auto c = ParseCatalogue(
      "# Catalogue du CCAS\n"
      "\n"
      "motif\tdroits--rsa\tRSA\tdroits\tnon\r\n"
      "motif\tlocal--colis\tColis alimentaire\turgence\tnon\n"
      "motif\tlocal--aide-victimes\tAide aux victimes\t\toui\n"
      "acte\tecoute\tÉcoute active\t\tnon\n");
  ASSERT_TRUE(c) << c.error().ToString();
  ASSERT_EQ(c->motifs.size(), 3u);
  EXPECT_EQ(c->motifs[0], (Item{"droits--rsa", "RSA", "droits", false}));
  EXPECT_EQ(c->motifs[1], (Item{"local--colis", "Colis alimentaire", "urgence", false}));
  EXPECT_EQ(c->motifs[2], (Item{"local--aide-victimes", "Aide aux victimes", "", true}));
  ASSERT_EQ(c->actes.size(), 1u);
  EXPECT_EQ(c->actes[0].label, "Écoute active");
  EXPECT_TRUE(c->IsSensitiveMotif("local--aide-victimes"));
}

TEST(ReceptionCatalogue, AKindNotListedKeepsItsDefaults) {
  const auto only_acts = ParseCatalogue("acte\tecoute\tÉcoute\t\tnon\n");
  ASSERT_TRUE(only_acts);
  EXPECT_EQ(only_acts->motifs, Catalogue::Default().motifs);
  EXPECT_EQ(only_acts->actes.size(), 1u);

  const auto only_motifs = ParseCatalogue("motif\tdroits--rsa\tRSA\tdroits\tnon");
  ASSERT_TRUE(only_motifs);
  EXPECT_EQ(only_motifs->motifs.size(), 1u);
  EXPECT_EQ(only_motifs->actes, Catalogue::Default().actes);

  const auto empty = ParseCatalogue("# rien\n\n");
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->motifs, Catalogue::Default().motifs);
  EXPECT_EQ(empty->actes, Catalogue::Default().actes);
}

TEST(ReceptionCatalogue, ADefaultSensitiveMotifStaysSensitive) {
  const auto c = ParseCatalogue("motif\tsante--addictions\tAddictions\tsante\tnon\n");
  ASSERT_TRUE(c);
  EXPECT_TRUE(c->IsSensitiveMotif("sante--addictions"));
}

TEST(ReceptionCatalogue, MalformedInputIsRefusedNamingTheLine) {
  struct Case {
    std::string name;
    std::string tsv;
    std::string field;
    std::string message_part;
  };
  const std::string long_code(101, 'a');
  std::string long_label;
  for (int i = 0; i < 201; ++i) long_label += "é";
  const Case cases[] = {
      {"trop peu de colonnes", "motif\tdroits--rsa\tRSA\tdroits\n", "ligne 1", "5 colonnes"},
      {"trop de colonnes", "# x\nmotif\ta\tA\t\tnon\textra\n", "ligne 2", "6 trouvée"},
      {"type inconnu", "service\ta\tA\t\tnon\n", "ligne 1", "« motif » ou « acte »"},
      {"code avec majuscule", "motif\tDroits\tA\t\tnon\n", "ligne 1", "le code"},
      {"code avec espace", "motif\tdroits rsa\tA\t\tnon\n", "ligne 1", "le code"},
      {"code accentué", "motif\tsanté\tA\t\tnon\n", "ligne 1", "le code"},
      {"code vide", "motif\t\tA\t\tnon\n", "ligne 1", "le code"},
      {"code trop long", "motif\t" + long_code + "\tA\t\tnon\n", "ligne 1", "le code"},
      {"libellé vide", "motif\ta\t  \t\tnon\n", "ligne 1", "libellé est vide"},
      {"libellé trop long", "motif\ta\t" + long_label + "\t\tnon\n", "ligne 1", "200 caractères"},
      {"libellé invalide", "motif\ta\tA\xff\t\tnon\n", "ligne 1", "caractères invalides"},
      {"groupe invalide", "motif\ta\tA\tDroits!\tnon\n", "ligne 1", "le groupe"},
      {"sensible invalide", "motif\ta\tA\t\tyes\n", "ligne 1", "« oui » ou « non »"},
      {"sensible vide", "motif\ta\tA\t\t\n", "ligne 1", "« oui » ou « non »"},
      {"code en double", "motif\ta\tA\t\tnon\n\nmotif\ta\tB\t\tnon\n", "ligne 3", "figure déjà"},
  };
  for (const Case& c : cases) {
    const auto parsed = ParseCatalogue(c.tsv);
    ASSERT_FALSE(parsed) << c.name;
    EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidArgument) << c.name;
    EXPECT_EQ(parsed.error().field, c.field) << c.name;
    EXPECT_NE(parsed.error().message.find(c.message_part), std::string::npos)
        << c.name << " : " << parsed.error().message;
    EXPECT_NE(parsed.error().message.find("Ligne"), std::string::npos) << c.name;
  }
  // The same code may be a motive and an act.
  EXPECT_TRUE(ParseCatalogue("motif\ta\tA\t\tnon\nacte\ta\tA\t\tnon\n"));
  // A code of exactly 100 characters and a label of 200 are accepted.
  EXPECT_TRUE(ParseCatalogue("motif\t" + std::string(100, 'a') + "\t" + std::string(200, 'L') +
                             "\t\tnon\n"));
}

TEST(ReceptionCatalogue, OversizedInputIsRefused) {
  std::string big;
  while (big.size() <= 1'000'000) big += "# commentaire de remplissage\n";
  const auto parsed = ParseCatalogue(big);
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(parsed.error().field, "catalogue");

  std::string many;
  for (int i = 0; i <= 1000; ++i) many += "motif\tm" + std::to_string(i) + "\tM\t\tnon\n";
  const auto too_many = ParseCatalogue(many);
  ASSERT_FALSE(too_many);
  EXPECT_EQ(too_many.error().field, "ligne 1001");
}

TEST(ReceptionChoices, ListsAndLabels) {
  EXPECT_EQ(Canaux().size(), 9u);
  EXPECT_EQ(Canaux()[0].code, "physique_sans_rdv");
  EXPECT_EQ(LabelOf(Canaux(), "physique_sans_rdv"), "Physique sans rendez-vous");
  for (std::string_view code : {"physique_sans_rdv", "physique_rdv", "telephone", "courriel",
                                "formulaire", "visio", "domicile", "itinerant", "aller_vers"}) {
    EXPECT_TRUE(IsChoice(Canaux(), code)) << code;
    EXPECT_FALSE(LabelOf(Canaux(), code).empty()) << code;
  }
  EXPECT_FALSE(IsChoice(Canaux(), "pigeon"));
  EXPECT_EQ(LabelOf(Canaux(), "pigeon"), "");
  EXPECT_EQ(Urgences()[0].code, "aucune");
  EXPECT_TRUE(IsChoice(Urgences(), "danger_immediat"));
  EXPECT_TRUE(IsChoice(Resultats(), "reponse_immediate"));
  EXPECT_TRUE(IsChoice(Resultats(), "suivi"));
  EXPECT_EQ(TranchesAge().size(), 5u);
  EXPECT_TRUE(IsChoice(TranchesAge(), "65_plus"));
  EXPECT_TRUE(IsChoice(Sexes(), "autre"));
  EXPECT_TRUE(IsChoice(Foyers(), "couple_enfants"));
  EXPECT_EQ(Nationalites().size(), 3u);
  EXPECT_TRUE(IsChoice(Nationalites(), "hors_ue"));
  EXPECT_TRUE(IsChoice(Visibilites(), "confidentielle"));
  EXPECT_TRUE(IsChoice(Relations(), "enfant"));
  // Codes are unique within each list.
  for (auto list : {Canaux(), Urgences(), Resultats(), TranchesAge(), Sexes(), Foyers(),
                    Nationalites(), Visibilites(), Relations()}) {
    std::set<std::string_view> codes;
    for (const Choice& c : list) EXPECT_TRUE(codes.insert(c.code).second) << c.code;
  }
}

TEST(ReceptionTickets, StateNamesRoundTrip) {
  const TicketState states[] = {TicketState::kWaiting,   TicketState::kCalled,
                                TicketState::kHandedOff, TicketState::kWithSocial,
                                TicketState::kDone,      TicketState::kNoShow};
  const std::string_view names[] = {"attente",   "appele",  "transmis",
                                    "entretien", "termine", "absent"};
  for (std::size_t i = 0; i < std::size(states); ++i) {
    EXPECT_EQ(TicketStateName(states[i]), names[i]);
    EXPECT_FALSE(TicketStateLabel(states[i]).empty());
    EXPECT_EQ(ParseTicketState(names[i]), states[i]);
  }
  EXPECT_EQ(TicketStateLabel(TicketState::kWaiting), "En attente");
  EXPECT_EQ(ParseTicketState("Attente"), std::nullopt);
  EXPECT_EQ(ParseTicketState(""), std::nullopt);
}

TEST(ReceptionRetention, PurgeModeNames) {
  EXPECT_EQ(PurgeModeName(PurgeMode::kAnonymise), "anonymisation");
  EXPECT_EQ(PurgeModeName(PurgeMode::kExport), "export");
  EXPECT_EQ(ParsePurgeMode("anonymisation"), PurgeMode::kAnonymise);
  EXPECT_EQ(ParsePurgeMode("export"), PurgeMode::kExport);
  EXPECT_EQ(ParsePurgeMode("suppression"), std::nullopt);
}

}  // namespace
}  // namespace pasip::reception
