#include "domain/reception/matching.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

namespace pasip::reception {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Not;

TEST(ReceptionMatching, NameTokensFoldAndSplit) {
  EXPECT_THAT(NameTokens("Élodie-Marie N'Diaye"), ElementsAre("elodie", "marie", "ndiaye"));
  EXPECT_THAT(NameTokens("  HÉLÈNE   Lefèvre "), ElementsAre("helene", "lefevre"));
  EXPECT_THAT(NameTokens("N’Guessan"), ElementsAre("nguessan"));  // typographic apostrophe
  EXPECT_THAT(NameTokens("Jean–Pierre (dit JP)"), ElementsAre("jean", "pierre", "dit", "jp"));
  EXPECT_THAT(NameTokens("Çelik Œdipe"), ElementsAre("celik", "oedipe"));
  EXPECT_THAT(NameTokens(""), IsEmpty());
  EXPECT_THAT(NameTokens(" - ' "), IsEmpty());
}

TEST(ReceptionMatching, PhoneticCodes) {
  struct Case {
    std::string_view a;
    std::string_view b;
    bool same;
  };
  const Case cases[] = {
      {"dupont", "dupond", true},       {"mohamed", "mohammed", true},
      {"lefebvre", "lefevre", true},    {"philippe", "filipe", true},
      {"laurent", "laurant", true},     {"benoit", "benoist", true},
      {"catherine", "katherine", true}, {"thierry", "tierry", true},
      {"gauthier", "gautier", true},    {"renaud", "reno", true},
      {"francoise", "francois", true},  {"nguyen", "nguyen", true},
      {"dupont", "durand", false},      {"martin", "martinez", false},
      {"marie", "mario", false},        {"paul", "pauline", false},
      {"nguyen", "nguema", false},
  };
  for (const Case& c : cases) {
    const std::string pa = Phonetic(c.a), pb = Phonetic(c.b);
    EXPECT_FALSE(pa.empty()) << c.a;
    EXPECT_EQ(pa == pb, c.same) << c.a << " → " << pa << ", " << c.b << " → " << pb;
  }
  // Stable: the code of a code-like token does not drift, and non-letters give nothing.
  EXPECT_EQ(Phonetic("nguyen"), Phonetic("nguyen"));
  EXPECT_EQ(Phonetic("123"), "");
  EXPECT_EQ(Phonetic(""), "");
}

TEST(ReceptionMatching, PhoneKeys) {
  EXPECT_EQ(PhoneKey("06 12 34 56 78"), "612345678");
  EXPECT_EQ(PhoneKey("+33 6 12 34 56 78"), "612345678");
  EXPECT_EQ(PhoneKey("0033612345678"), "612345678");
  EXPECT_EQ(PhoneKey("06.12.34.56.78"), "612345678");
  EXPECT_EQ(PhoneKey("(+33) 06-12-34-56-78"), "612345678");
  EXPECT_EQ(PhoneKey("12 34 56"), "");
  EXPECT_EQ(PhoneKey(""), "");
}

TEST(ReceptionMatching, EditDistances) {
  EXPECT_EQ(EditDistance("", ""), 0);
  EXPECT_EQ(EditDistance("abc", ""), 3);
  EXPECT_EQ(EditDistance("dupont", "dupont"), 0);
  EXPECT_EQ(EditDistance("dupont", "dupnot"), 1);  // transposition
  EXPECT_EQ(EditDistance("dupont", "dupon"), 1);
  EXPECT_EQ(EditDistance("dupont", "dipont"), 1);
  EXPECT_EQ(EditDistance("kitten", "sitting"), 3);
  EXPECT_EQ(EditDistance("ca", "abc"), 3);  // optimal string alignment
  EXPECT_EQ(EditDistance("abcdef", "badcfe"), 3);
  EXPECT_EQ(EditDistance("", "dupont"), 6);
  EXPECT_EQ(EditDistance("villeneuve", "vilenueve"), 2);
  // Symmetric.
  EXPECT_EQ(EditDistance("benali", "benalli"), EditDistance("benalli", "benali"));
}

TEST(ReceptionMatching, KeysOfAPerson) {
  Person p;
  p.nom_affiche = "Jean-Pierre Dupont";
  p.prenoms = "Jean-Pierre";
  p.nom_naissance = "Dupont";
  p.date_naissance = "1980-04-02";
  p.telephone = "+33 6 12 34 56 78";
  p.courriel = " JP.Dupont@Exemple.FR ";
  const auto keys = KeysOf(p);
  EXPECT_TRUE(std::is_sorted(keys.begin(), keys.end()));
  EXPECT_EQ(std::adjacent_find(keys.begin(), keys.end()), keys.end());
  for (const std::string k :
       {"nom:jean", "nom:pierre", "nom:dupont", "nom:jeanpierre", "naissance:1980-04-02",
        "tel:612345678", "mail:jp.dupont@exemple.fr"}) {
    EXPECT_THAT(keys, Contains(k));
  }
  EXPECT_THAT(keys, Contains("son:" + Phonetic("dupont")));
  EXPECT_THAT(keys, Contains("son:" + Phonetic("dupond")));

  Person empty;
  empty.nom_affiche = "X";  // an initial gives no key
  EXPECT_THAT(KeysOf(empty), IsEmpty());
}

struct Named {
  std::string nom_affiche;
  std::string prenoms;
  std::string nom;
  std::string date = {};
  std::string telephone = {};
  std::string courriel = {};
};

Person Make(const Named& n) {
  Person p;
  p.nom_affiche = n.nom_affiche;
  p.prenoms = n.prenoms;
  p.nom_naissance = n.nom;
  p.date_naissance = n.date;
  p.telephone = n.telephone;
  p.courriel = n.courriel;
  return p;
}

// Keys the two files share: what makes the store propose the existing file at all.
bool ShareAKey(const Person& a, const Person& b) {
  const auto ka = KeysOf(a), kb = KeysOf(b);
  return std::any_of(ka.begin(), ka.end(),
                     [&](const std::string& k) { return std::count(kb.begin(), kb.end(), k); });
}

TEST(ReceptionMatching, DuplicateCases) {
  struct Case {
    std::string name;
    Named a;
    Named b;
    bool duplicate;
    std::string raison = {};  // expected among the reasons, when not empty
  };
  const Case cases[] = {
      // Accents.
      {"accents",
       {"Hélène Lefèvre", "Hélène", "Lefèvre"},
       {"Helene Lefevre", "Helene", "Lefevre"},
       true,
       "mêmes noms"},
      {"accents et graphie",
       {"Hélène Lefebvre", "Hélène", "Lefebvre"},
       {"Helene Lefèvre", "Helene", "Lefèvre"},
       true,
       "noms proches"},
      // Hyphens and compound names.
      {"trait d'union",
       {"Jean-Pierre Martin", "Jean-Pierre", "Martin"},
       {"Jean Pierre Martin", "Jean Pierre", "Martin"},
       true,
       "mêmes noms"},
      {"prénom composé attaché",
       {"Jean-Pierre Martin", "Jean-Pierre", "Martin"},
       {"Jeanpierre Martin", "Jeanpierre", "Martin"},
       true},
      {"nom en deux mots",
       {"Karim Benali", "Karim", "Benali"},
       {"Karim Ben Ali", "Karim", "Ben Ali"},
       true},
      // Swapped first and last names.
      {"prénom et nom inversés",
       {"Martin Paul", "Martin", "Paul"},
       {"Paul Martin", "Paul", "Martin"},
       true,
       "prénom et nom inversés"},
      // Small typos.
      {"lettres inversées",
       {"Marie Dupont", "Marie", "Dupont"},
       {"Marie Dupnot", "Marie", "Dupnot"},
       true,
       "noms proches"},
      {"même son",
       {"Marie Dupont", "Marie", "Dupont"},
       {"Marie Dupond", "Marie", "Dupond"},
       true,
       "noms proches"},
      {"lettre doublée",
       {"Mohamed Diallo", "Mohamed", "Diallo"},
       {"Mohammed Dialo", "Mohammed", "Dialo"},
       true},
      {"deux fautes sur un nom long",
       {"Bernadette Villeneuve", "Bernadette", "Villeneuve"},
       {"Bernadette Vilenueve", "Bernadette", "Vilenueve"},
       true},
      {"faute et même date",
       {"Sophie Garnier", "Sophie", "Garnier", "1975-06-01"},
       {"Sofie Granier", "Sofie", "Granier", "1975-06-01"},
       true,
       "même date de naissance"},
      // Same phone in different formats, same e-mail whatever the case.
      {"même téléphone",
       {"Awa Traoré", "Awa", "Traoré", "", "06 12 34 56 78"},
       {"A. Traore", "", "", "", "+33612345678"},
       true,
       "même téléphone"},
      {"même courriel",
       {"Lucas Petit", "Lucas", "Petit", "", "", "Lucas.Petit@Exemple.fr"},
       {"Luc P.", "", "", "", "", "lucas.petit@exemple.fr "},
       true,
       "même courriel"},
      // Different birth dates: namesakes, or a relative sharing the phone.
      {"homonymes nés à d'autres dates",
       {"Marie Dupont", "Marie", "Dupont", "1980-01-01"},
       {"Marie Dupont", "Marie", "Dupont", "1992-07-14"},
       false,
       "dates de naissance différentes"},
      {"téléphone du foyer",
       {"Awa Traoré", "Awa", "Traoré", "1980-01-01", "0612345678"},
       {"Fanta Traoré", "Fanta", "Traoré", "2005-03-03", "0612345678"},
       false},
      {"faute et autre date",
       {"Marie Dupont", "Marie", "Dupont", "1980-01-01"},
       {"Marie Dupnot", "Marie", "Dupnot", "1981-01-01"},
       false},
      // Clearly different people.
      {"personnes différentes",
       {"Marie Dupont", "Marie", "Dupont"},
       {"Ahmed Benali", "Ahmed", "Benali"},
       false},
      {"même prénom seulement",
       {"Marie Dupont", "Marie", "Dupont"},
       {"Marie Lambert", "Marie", "Lambert"},
       false},
      {"même nom seulement",
       {"Marie Dupont", "Marie", "Dupont"},
       {"Paul Dupont", "Paul", "Dupont"},
       false},
      {"noms courts voisins", {"Li Wu", "Li", "Wu"}, {"Lu Wa", "Lu", "Wa"}, false},
      {"Martin et Martinez",
       {"Paul Martin", "Paul", "Martin"},
       {"Pablo Martinez", "Pablo", "Martinez"},
       false},
  };
  for (const Case& c : cases) {
    const Person a = Make(c.a), b = Make(c.b);
    const Similarity ab = Score(a, b), ba = Score(b, a);
    EXPECT_EQ(ab.score, ba.score) << c.name << " : le score doit être symétrique";
    EXPECT_GE(ab.score, 0) << c.name;
    EXPECT_LE(ab.score, 100) << c.name;
    EXPECT_EQ(ab.score >= kDuplicateThreshold, c.duplicate)
        << c.name << " : score " << ab.score << " (" << ::testing::PrintToString(ab.raisons) << ")";
    if (!c.raison.empty()) {
      EXPECT_THAT(ab.raisons, Contains(c.raison)) << c.name;
    }
    // A duplicate must also be found by the store, which only looks at shared keys.
    if (c.duplicate) {
      EXPECT_TRUE(ShareAKey(a, b)) << c.name;
    }
  }
}

TEST(ReceptionMatching, LongInputStaysCheap) {
  // A pasted text as a name: scored without a quadratic table, and not matched by typos.
  const std::string long_name(100000, 'a');
  Person a = Make({long_name, "", ""});
  Person b = Make({long_name + "b", "", ""});
  EXPECT_LT(Score(a, b).score, kDuplicateThreshold);
  EXPECT_EQ(Score(a, a).score, 70);
}

TEST(ReceptionMatching, SameFileScoresFullAndBirthDateRaisesTheScore) {
  const Person a = Make({"Marie Dupont", "Marie", "Dupont", "1980-01-01", "0612345678"});
  EXPECT_EQ(Score(a, a).score, 100);
  const Person no_date = Make({"Marie Dupont", "Marie", "Dupont"});
  const Person with_date = Make({"Marie Dupont", "Marie", "Dupont", "1980-01-01"});
  const Person other_date = Make({"Marie Dupont", "Marie", "Dupont", "1980-01-02"});
  EXPECT_GT(Score(with_date, a).score, Score(no_date, with_date).score);
  EXPECT_LT(Score(other_date, with_date).score, Score(no_date, with_date).score);
  EXPECT_THAT(Score(no_date, with_date).raisons, Not(Contains("même date de naissance")));
}

TEST(ReceptionMatching, SearchKeys) {
  const SearchKeys keys = KeysForSearch("Dup Marie", "1980-01-01");
  EXPECT_THAT(keys.keys, Contains("nom:dup"));
  EXPECT_THAT(keys.keys, Contains("nom:marie"));
  EXPECT_THAT(keys.keys, Contains("son:" + Phonetic("marie")));
  EXPECT_THAT(keys.keys, Contains("naissance:1980-01-01"));
  EXPECT_THAT(keys.prefixes, ElementsAre("nom:dup", "nom:marie"));
  EXPECT_TRUE(std::is_sorted(keys.keys.begin(), keys.keys.end()));

  const SearchKeys initial = KeysForSearch("J", "");
  EXPECT_THAT(initial.keys, IsEmpty());
  EXPECT_THAT(initial.prefixes, IsEmpty());

  const SearchKeys date_only = KeysForSearch("", "1980-01-01");
  EXPECT_THAT(date_only.keys, ElementsAre("naissance:1980-01-01"));

  // What a person's keys and a search's keys share is what the store finds.
  const Person p = Make({"Jean-Pierre Dupont", "Jean-Pierre", "Dupont"});
  const auto person_keys = KeysOf(p);
  EXPECT_THAT(person_keys, Contains("nom:dupont"));
  EXPECT_THAT(KeysForSearch("dupond", "").keys, Contains("son:" + Phonetic("dupont")));
  EXPECT_THAT(KeysForSearch("jeanpierre", "").keys, Contains("nom:jeanpierre"));
}

TEST(ReceptionMatching, Relevance) {
  const Person marie = Make({"Marie Dupont", "Marie", "Dupont", "1980-01-01"});
  const Person paul = Make({"Paul Dupont", "Paul", "Dupont"});
  const Person jp = Make({"Jean-Pierre Ben Ali", "Jean-Pierre", "Ben Ali"});

  EXPECT_EQ(Relevance(marie, "Marie Dupont", ""), 100);
  EXPECT_EQ(Relevance(marie, "dupont marie", ""), 100);  // any order
  EXPECT_GT(Relevance(marie, "Dup", ""), 0);             // typing
  EXPECT_GT(Relevance(marie, "Dupond", ""), 0);          // sound
  EXPECT_GT(Relevance(marie, "Dupnot", ""), 0);          // typo
  EXPECT_GT(Relevance(marie, "Marie Dupont", ""), Relevance(marie, "Dupnot", ""));
  EXPECT_GT(Relevance(marie, "Marie Dupont", ""), Relevance(marie, "Dup", ""));
  EXPECT_EQ(Relevance(marie, "Marie Durand", ""), 0);  // every word must be found
  EXPECT_EQ(Relevance(paul, "Marie", ""), 0);
  EXPECT_EQ(Relevance(marie, "", ""), 0);

  EXPECT_GT(Relevance(jp, "jeanpierre benali", ""), 0);
  EXPECT_GT(Relevance(jp, "Jean Pierre", ""), 0);
  EXPECT_GT(Relevance(jp, "benali", ""), 0);

  // Birth date: the same one ranks first, an unknown one next, another one not at all.
  EXPECT_EQ(Relevance(marie, "Dupont", "1980-01-01"), 100);
  EXPECT_GT(Relevance(paul, "Dupont", "1980-01-01"), 0);
  EXPECT_LT(Relevance(paul, "Dupont", "1980-01-01"), Relevance(marie, "Dupont", "1980-01-01"));
  EXPECT_EQ(Relevance(marie, "Dupont", "1990-01-01"), 0);
  EXPECT_GT(Relevance(marie, "", "1980-01-01"), 0);
  EXPECT_EQ(Relevance(marie, "", "1990-01-01"), 0);
}

}  // namespace
}  // namespace pasip::reception
