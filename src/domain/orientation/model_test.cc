// The orientation lifecycle table (every status × step against tests/data/
// orientation_transitions.tsv), the sides, names, and draft validation rules.
#include "domain/orientation/model.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>

#include "core/text.h"

namespace pasip::orientation {
namespace {

TEST(ModelTest, TransitionsMatchTheTable) {
  std::ifstream in(std::string(PASIP_TEST_DATA_DIR) + "/orientation_transitions.tsv");
  ASSERT_TRUE(in) << "tests/data/orientation_transitions.tsv";
  std::string line;
  std::vector<std::string> header;
  int checked = 0;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> cells = text::Split(line, '\t');
    if (header.empty()) {
      header = cells;
      ASSERT_EQ(header.size(), std::size(kAllSteps) + 1);
      for (std::size_t i = 1; i < header.size(); ++i) {
        ASSERT_TRUE(ParseStep(header[i])) << header[i];
      }
      continue;
    }
    ASSERT_EQ(cells.size(), header.size()) << line;
    auto from = ParseStatus(cells[0]);
    ASSERT_TRUE(from) << cells[0];
    for (std::size_t i = 1; i < cells.size(); ++i) {
      Step step = *ParseStep(header[i]);
      auto next = Next(*from, step);
      std::string got = next ? std::string(StatusName(*next)) : "-";
      EXPECT_EQ(got, cells[i]) << cells[0] << " × " << header[i];
      ++checked;
    }
  }
  EXPECT_EQ(checked, static_cast<int>(std::size(kAllStatuses) * std::size(kAllSteps)));
}

TEST(ModelTest, NamesRoundTrip) {
  for (Status s : kAllStatuses) {
    EXPECT_EQ(ParseStatus(StatusName(s)), s);
    EXPECT_FALSE(StatusLabel(s).empty());
  }
  for (Step s : kAllSteps) {
    EXPECT_EQ(ParseStep(StepName(s)), s);
    EXPECT_FALSE(StepLabel(s).empty());
  }
  EXPECT_FALSE(ParseStatus("inconnu"));
  EXPECT_FALSE(ParseStep(""));
}

TEST(ModelTest, SidesTakeTheirOwnSteps) {
  EXPECT_TRUE(SideMay(Side::kOrienting, Step::kSend));
  EXPECT_FALSE(SideMay(Side::kRecipient, Step::kSend));
  EXPECT_TRUE(SideMay(Side::kRecipient, Step::kAccept));
  EXPECT_FALSE(SideMay(Side::kOrienting, Step::kAccept));
  EXPECT_TRUE(SideMay(Side::kSystem, Step::kExpire));
  EXPECT_FALSE(SideMay(Side::kOrienting, Step::kExpire));
  EXPECT_EQ(ImpossibleStep(Status::kClosed, Step::kAccept).message,
            "Impossible d'accepter une orientation clôturée.");
}

TEST(ModelTest, MotivesLeadToTheThematiquesOfServicesThatHandleThem) {
  // Every motive of the default catalogue that is not itself a thématique maps to valid
  // thématiques (the access-to-rights and emergency motives).
  for (const reception::Item& m : reception::Catalogue::Default().motifs) {
    std::vector<std::string> got = ThematiquesForMotifs(std::vector<std::string>{m.code});
    EXPECT_FALSE(got.empty()) << m.code;
    for (const std::string& t : got) {
      EXPECT_TRUE(directory::IsValid(directory::Referentiel::kThematique, t)) << m.code << " " << t;
    }
  }
  EXPECT_EQ(ThematiquesForMotifs(
                std::vector<std::string>{"droits--rsa", "droits--prime-activite",
                                         "equipement-et-alimentation--alimentation", "inconnu"}),
            (std::vector<std::string>{
                "difficultes-administratives-ou-juridiques--accompagnement-pour-lacces-aux-droits",
                "equipement-et-alimentation--alimentation"}));
}

TEST(ModelTest, ShareOfCopiesOnlyTheChosenFields) {
  reception::Person p;
  p.nom_affiche = "M. Test";
  p.telephone = "06 00 00 00 00";
  p.date_naissance = "1990-01-01";
  p.langues = {"fr", "ar"};
  auto shared = ShareOf(p, std::vector<std::string>{"telephone", "langues"});
  ASSERT_EQ(shared.size(), 2u);
  EXPECT_EQ(shared[0].field, "telephone");
  EXPECT_EQ(shared[1].value, "fr, ar");
  EXPECT_TRUE(ShareOf(p, std::vector<std::string>{}).empty());
}

}  // namespace
}  // namespace pasip::orientation
